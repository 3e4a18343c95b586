import { dayNumber, type CustomerOrders } from "~/analytics/facts";
import { rfmAsOf } from "~/experiments/backtest";
import { scoreCustomers, type RfmInput } from "~/segments/rfm";
import type { BgNbd, FitInfo, GammaGamma } from "./clv";
import {
  fitPair,
  predict,
  type FitCaps,
  type FitCheck,
  type FitInput,
  type FitPair,
  type Predictions,
} from "./clv-fit";
import { summarise, type CustomerSummary } from "./summaries";

// The customer-value model of one calibration end, built whole from the data set's order columns (#12 item 3): the
// customer summaries, RFM as of the calibration end, both fits and the predictions. Pure, and run in the CLV worker
// thread (clv.worker.ts), so that none of it — the summaries and RFM as of T included — holds up a request.

export type CustomerValue = CustomerSummary & {
  pAlive: number;
  purchases30: number;
  purchases90: number;
  purchases365: number;
  expectedValue: number;
  revenue365: number;
  segment: string;
  /** The customer's current persona: labelled on reading (value.server.ts), so that choosing k needs no new fit. */
  persona: string;
};

/**
 * A customer's row, each field named: V8 builds `{ ...summary, pAlive, … }` or `{ ...row, persona }` about 30 times
 * slower, and a fit makes one row per customer (4,338 on Online Retail) and each reader labels them again.
 */
export const customerValue = (
  s: CustomerSummary,
  p: Omit<CustomerValue, keyof CustomerSummary | "persona">,
  persona: string,
): CustomerValue => ({
  index: s.index,
  customerId: s.customerId,
  x: s.x,
  tx: s.tx,
  T: s.T,
  m: s.m,
  firstValue: s.firstValue,
  revenue: s.revenue,
  holdout: s.holdout,
  activeMonths: s.activeMonths,
  orders: s.orders,
  pAlive: p.pAlive,
  purchases30: p.purchases30,
  purchases90: p.purchases90,
  purchases365: p.purchases365,
  expectedValue: p.expectedValue,
  revenue365: p.revenue365,
  segment: p.segment,
  persona,
});

type FitSummary = Omit<FitCheck, "bgnbd" | "gammaGamma"> & {
  bgnbd: BgNbd & FitInfo;
  gammaGamma: GammaGamma & FitInfo & { customers: number };
};

export type ValueModel = {
  calibrationEnd: string;
  dataEnd: string;
  holdoutWeeks: number;
  customers: number;
  /** Both fits, their checks in words, and which one the predictions use (null: neither converged, no predictions). */
  fits: {
    plain: FitSummary;
    regularised: FitSummary;
    penalizer: number;
    used: FitPair["used"];
    reason: string;
    warning: string | null;
  };
  /** The parameters of the fit used (null when none is usable). */
  bgnbd: (BgNbd & { logLikelihood: number }) | null;
  gammaGamma: (GammaGamma & { logLikelihood: number; customers: number }) | null;
  /** Segments are as of the calibration end (RFM on the data up to it); revenue to date is up to it too. */
  segmentsAsOf: string;
  rows: CustomerValue[];
  /** Holdout check: mean predicted and actual purchases after the calibration end, by calibration repeat purchases. */
  holdout: { x: string; customers: number; predicted: number; actual: number }[];
  seconds: number;
};

/**
 * What the worker is sent: the data (an imported data set's order columns, or a warehouse data set's summaries and RFM
 * inputs as of the calibration end, computed in its PostgreSQL: issue 17), the calibration end and the data's last day.
 * Not the personas: they do not change the fit, and a job without them keeps its model when k is chosen.
 */
export type ValueJob = ValueData & JobCommon;

/** A job without its data: the calibration end, the data's last day and the caps. */
export type JobCommon = {
  calibrationEnd: string;
  dataEnd: string;
  caps: FitCaps;
  /** Tests only (CAMPAIGN_LAB_FAULT=slow-clv-prepare): the preparation takes this much longer, wherever it runs. */
  holdMillis?: number;
};

/** A job for the CLV thread: its number, the data's version, and the job with its data or, for the data kept, without. */
export type FitMessage = { id: number; dataKey: string | null; job: ValueJob | JobCommon };
export type FitAnswer = { id: number } & ({ model: ValueModel } | { error: string });

/** The order columns to summarise, or the summaries and RFM inputs as of the calibration end already computed. */
export type ValueData = { facts: CustomerOrders } | { summaries: CustomerSummary[]; asOf: RfmInput[] };

const WEEK = 7;

type Prepared = {
  summaries: CustomerSummary[];
  input: FitInput;
  labels: Map<string, string>;
};

function prepare(job: ValueJob): Prepared {
  // a tests-only hold, blocking whichever thread prepares: it shows that the request path does not
  if (job.holdMillis) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, job.holdMillis);
  const cal = dayNumber(job.calibrationEnd);
  const summaries = "facts" in job ? summarise(job.facts, cal) : job.summaries;
  const column = (f: (s: CustomerSummary) => number) => Float64Array.from(summaries, f);
  const input: FitInput = {
    x: column((s) => s.x),
    tx: column((s) => s.tx),
    T: column((s) => s.T),
    m: column((s) => s.m),
    holdout: column((s) => s.holdout),
    holdoutWeeks: (dayNumber(job.dataEnd) - cal) / WEEK,
  };
  // segments as of the calibration end (the same RFM rule on the data up to it)
  const scored = "facts" in job ? rfmAsOf(job.facts, cal) : scoreCustomers(job.asOf).rows;
  const labels = new Map(scored.map((c) => [c.customerId, c.segment as string]));
  return { summaries, input, labels };
}

function assemble(
  job: ValueJob,
  p: Prepared,
  pair: FitPair,
  predictions: Predictions | null,
  seconds: number,
): ValueModel {
  const used = pair.used ? pair[pair.used] : null;
  const rows = p.summaries.map((s, i) => {
    const v = (a: Float64Array | undefined) => (a ? a[i] : 0);
    const predicted = {
      pAlive: v(predictions?.pAlive),
      purchases30: v(predictions?.purchases30),
      purchases90: v(predictions?.purchases90),
      purchases365: v(predictions?.purchases365),
      expectedValue: v(predictions?.expectedValue),
      revenue365: v(predictions?.purchases365) * v(predictions?.expectedValue),
      segment: p.labels.get(s.customerId) ?? "",
    };
    return customerValue(s, predicted, ""); // the current persona is labelled on reading
  });
  const groups = new Map<string, { customers: number; predicted: number; actual: number }>();
  rows.forEach((r, i) => {
    const key = r.x >= 7 ? "7+" : String(r.x);
    const g = groups.get(key) ?? { customers: 0, predicted: 0, actual: 0 };
    g.customers++;
    g.predicted += predictions ? predictions.holdoutPredicted[i] : 0;
    g.actual += r.holdout;
    groups.set(key, g);
  });
  const holdout = ["0", "1", "2", "3", "4", "5", "6", "7+"]
    .filter((k) => groups.has(k))
    .map((k) => {
      const g = groups.get(k)!;
      return { x: k, customers: g.customers, predicted: g.predicted / g.customers, actual: g.actual / g.customers };
    });
  return {
    calibrationEnd: job.calibrationEnd,
    dataEnd: job.dataEnd,
    holdoutWeeks: p.input.holdoutWeeks,
    customers: rows.length,
    fits: {
      plain: pair.plain,
      regularised: pair.regularised,
      penalizer: pair.penalizer,
      used: pair.used,
      reason: pair.reason,
      warning: pair.warning,
    },
    bgnbd: used ? used.bgnbd : null,
    gammaGamma: used ? used.gammaGamma : null,
    segmentsAsOf: job.calibrationEnd,
    rows,
    holdout,
    seconds,
  };
}

/** The whole model of a job: summaries and RFM as of the calibration end, both fits, the predictions of the one used. */
export function buildValueModel(job: ValueJob): ValueModel {
  const started = performance.now();
  const p = prepare(job);
  const pair = fitPair(p.input, job.caps);
  const predictions = pair.used ? predict(p.input, pair[pair.used]) : null;
  return assemble(job, p, pair, predictions, (performance.now() - started) / 1000);
}
