import type { Db } from "~/db/db.server";
import { dayNumber, dayText } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { memo } from "~/analytics/memo.server";
import { segmentsVersion } from "~/db/version.server";
import { ensureSegments } from "~/segments/compute.server";
import { conditionalExpectedPurchases, expectedAverageValue, fitBgNbd, fitGammaGamma, probabilityAlive, type BgNbd, type GammaGamma } from "./clv";
import { summarise, type CustomerSummary } from "./summaries";

// Customer lifetime value of the active data set: historical value and the BG/NBD + Gamma-Gamma predictions, fitted
// once per (data set, calibration end) and kept in the report memo.

export type CustomerValue = CustomerSummary & { pAlive: number; purchases30: number; purchases90: number; purchases365: number; expectedValue: number; revenue365: number; segment: string; persona: string };

export type ValueModel = {
  calibrationEnd: string;
  dataEnd: string;
  holdoutWeeks: number;
  customers: number;
  bgnbd: BgNbd & { logLikelihood: number };
  gammaGamma: GammaGamma & { logLikelihood: number; customers: number };
  rows: CustomerValue[];
  /** Holdout check: mean predicted and actual purchases after the calibration end, by calibration repeat purchases. */
  holdout: { x: string; customers: number; predicted: number; actual: number }[];
  seconds: number;
};

const WEEK = 7;

export function defaultCalibrationEnd(db: Db, datasetId: number): string {
  const facts = getFacts(db, datasetId);
  // a quarter of the data span as holdout, the rest to calibrate (at least 4 weeks of holdout)
  const span = facts.lastDay - facts.firstDay;
  return dayText(facts.lastDay - Math.max(28, Math.round(span / 4)));
}

export function valueModel(db: Db, datasetId: number, calibrationEnd?: string): ValueModel {
  const end = calibrationEnd ?? defaultCalibrationEnd(db, datasetId);
  // about 400 bytes per customer row: the byte bound of the memo keeps a handful of fits, not 64 at any size
  return memo(`clv:${segmentsVersion(db, datasetId)}:${end}`, () => fit(db, datasetId, end), (m) => 4096 + m.rows.length * 400);
}

function fit(db: Db, datasetId: number, calibrationEnd: string): ValueModel {
  const started = performance.now();
  ensureSegments(db, datasetId);
  const facts = getFacts(db, datasetId);
  const cal = dayNumber(calibrationEnd);
  const summaries = summarise(facts, cal);
  const bgnbd = fitBgNbd(summaries);
  const buyers = summaries.filter((s) => s.x > 0 && s.m > 0);
  const gammaGamma = { ...fitGammaGamma(buyers.map((s) => ({ x: s.x, m: s.m }))), customers: buyers.length };
  const labels = new Map((db.$client.prepare(
    "SELECT x.customer_id, x.segment, COALESCE(p.name, '') FROM customer_rfm x JOIN segment_runs s ON s.dataset_id = x.dataset_id LEFT JOIN personas p ON p.dataset_id = x.dataset_id AND p.k = s.chosen_k AND p.cluster = x.persona WHERE x.dataset_id = ?",
  ).raw().all(datasetId) as [string, string, string][]).map(([id, seg, persona]) => [id, { seg, persona }]));
  const meanValue = buyers.length ? buyers.reduce((s, b) => s + b.m, 0) / buyers.length : 0;
  const holdoutWeeks = (facts.lastDay - cal) / WEEK;
  const rows = summaries.map((s) => {
    const purchases = (weeks: number) => conditionalExpectedPurchases(bgnbd, s, weeks);
    const expectedValue = s.x > 0 && s.m > 0 ? expectedAverageValue(gammaGamma, s.x, s.m) : (gammaGamma.p * gammaGamma.v) / (gammaGamma.q - 1) || meanValue;
    const purchases365 = purchases(365 / WEEK);
    const label = labels.get(s.customerId);
    return {
      ...s,
      pAlive: probabilityAlive(bgnbd, s),
      purchases30: purchases(30 / WEEK),
      purchases90: purchases(90 / WEEK),
      purchases365,
      expectedValue,
      revenue365: purchases365 * expectedValue,
      segment: label?.seg ?? "",
      persona: label?.persona ?? "",
    };
  });
  const groups = new Map<string, { customers: number; predicted: number; actual: number }>();
  for (const r of rows) {
    const key = r.x >= 7 ? "7+" : String(r.x);
    const g = groups.get(key) ?? { customers: 0, predicted: 0, actual: 0 };
    g.customers++;
    g.predicted += conditionalExpectedPurchases(bgnbd, r, holdoutWeeks);
    g.actual += r.holdout;
    groups.set(key, g);
  }
  const holdout = ["0", "1", "2", "3", "4", "5", "6", "7+"].filter((k) => groups.has(k)).map((k) => {
    const g = groups.get(k)!;
    return { x: k, customers: g.customers, predicted: g.predicted / g.customers, actual: g.actual / g.customers };
  });
  return { calibrationEnd, dataEnd: dayText(facts.lastDay), holdoutWeeks, customers: rows.length, bgnbd, gammaGamma, rows, holdout, seconds: (performance.now() - started) / 1000 };
}

export type GroupValue = { group: string; customers: number; revenue: number; revenuePerActiveMonth: number; revenuePerOrder: number; pAlive: number; purchases30: number; purchases90: number; purchases365: number; revenue365: number };

/** Per segment (or persona): historical value and mean predictions. */
export function valueByGroup(model: ValueModel, by: "segment" | "persona"): GroupValue[] {
  const groups = new Map<string, CustomerValue[]>();
  for (const r of model.rows) {
    const key = (by === "segment" ? r.segment : r.persona) || "(not scored)";
    const rows = groups.get(key);
    if (rows) rows.push(r);
    else groups.set(key, [r]);
  }
  const mean = (rows: CustomerValue[], f: (r: CustomerValue) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  return [...groups.entries()]
    .map(([group, rows]) => ({
      group,
      customers: rows.length,
      revenue: rows.reduce((s, r) => s + r.revenue, 0),
      revenuePerActiveMonth: mean(rows, (r) => r.revenue / Math.max(1, r.activeMonths)),
      revenuePerOrder: rows.reduce((s, r) => s + r.revenue, 0) / rows.reduce((s, r) => s + r.orders, 0),
      pAlive: mean(rows, (r) => r.pAlive),
      purchases30: mean(rows, (r) => r.purchases30),
      purchases90: mean(rows, (r) => r.purchases90),
      purchases365: mean(rows, (r) => r.purchases365),
      revenue365: mean(rows, (r) => r.revenue365),
    }))
    .sort((a, b) => b.revenue365 - a.revenue365);
}

export const CLV_CSV_HEADER = ["customer_id", "segment", "persona", "x", "t_x", "T", "revenue_to_date", "orders", "active_months", "p_alive", "purchases_30d", "purchases_90d", "purchases_365d", "expected_order_value", "expected_revenue_365d", "holdout_purchases"];
export const clvCsvRow = (r: CustomerValue) => [r.customerId, r.segment, r.persona, r.x, round(r.tx), round(r.T), round(r.revenue), r.orders, r.activeMonths, round(r.pAlive, 4), round(r.purchases30, 4), round(r.purchases90, 4), round(r.purchases365, 4), round(r.expectedValue), round(r.revenue365), r.holdout];
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
