import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Db } from "~/db/db.server";
import { dayNumber, dayText } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { databasePath, projectRoot } from "~/db/paths.server";
import { segmentsVersion } from "~/db/version.server";
import { rfmAsOf } from "~/experiments/backtest";
import { ensureSegments } from "~/segments/compute.server";
import type { BgNbd, FitInfo, GammaGamma } from "./clv";
import {
  DEFAULT_CAPS,
  fitPair,
  predict,
  type FitCaps,
  type FitCheck,
  type FitInput,
  type FitPair,
  type Predictions,
} from "./clv-fit";
import { summarise, type CustomerSummary } from "./summaries";
import { moneyHeaders } from "~/lib/currency";

// Customer lifetime value of the active data set: historical value and the BG/NBD + Gamma-Gamma predictions (#12 item 3,
// #14 item 4). The fits run off the request path, in a worker thread (dist/clv-worker.js) with caps on evaluations and
// time; a request that finds no fit yet starts one and is told "fitting" (the page polls, /api/clv answers 202). The
// result is kept per (data set and segments version, calibration end) in this process and in a file beside the
// database, so every web worker and the CLI share one fit; a fit under way is marked there too.

export type CustomerValue = CustomerSummary & {
  pAlive: number;
  purchases30: number;
  purchases90: number;
  purchases365: number;
  expectedValue: number;
  revenue365: number;
  segment: string;
  persona: string;
};

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

export type ValueState =
  { status: "ready"; model: ValueModel } | { status: "fitting"; since: string } | { status: "failed"; error: string };

const WEEK = 7;
/** A fit marked as under way longer than this (its process died) is started again. */
const STALE_FIT_MS = 120_000;

export function defaultCalibrationEnd(db: Db, datasetId: number): string {
  const facts = getFacts(db, datasetId);
  // a quarter of the data span as holdout, the rest to calibrate (at least 4 weeks of holdout)
  const span = facts.lastDay - facts.firstDay;
  return dayText(facts.lastDay - Math.max(28, Math.round(span / 4)));
}

// ---- the shared cache: this process's models, and files beside the database --------------------------------------

const models = ((globalThis as { __campaignLabClv?: Map<string, ValueModel> }).__campaignLabClv ??= new Map());
const running = new Map<string, { since: string; done: Promise<ValueModel> }>();
const failures = new Map<string, string>();
const KEEP_MODELS = 4;

const cacheDir = () => join(dirname(databasePath()), "clv-cache");
const fileOf = (key: string) => join(cacheDir(), createHash("sha1").update(`${databasePath()}|${key}`).digest("hex"));

function remember(key: string, model: ValueModel): void {
  models.delete(key);
  models.set(key, model);
  while (models.size > KEEP_MODELS) models.delete(models.keys().next().value!);
}

function readShared(key: string): ValueModel | null {
  try {
    return JSON.parse(readFileSync(`${fileOf(key)}.json`, "utf8")) as ValueModel;
  } catch {
    return null;
  }
}

function writeShared(key: string, model: ValueModel): void {
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${fileOf(key)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(model));
    renameSync(tmp, `${fileOf(key)}.json`);
  } catch {
    /* this process still has it in memory */
  }
}

/** Whether another process is fitting this key now (its mark is fresh and its process alive). */
function fittingElsewhere(key: string): string | null {
  const mark = `${fileOf(key)}.fitting`;
  try {
    const { pid, since } = JSON.parse(readFileSync(mark, "utf8")) as { pid: number; since: string };
    if (pid === process.pid || Date.now() - statSync(mark).mtimeMs > STALE_FIT_MS) return null;
    process.kill(pid, 0);
    return since;
  } catch {
    return null;
  }
}

// ---- the fit ------------------------------------------------------------------------------------------------------

/** The compiled worker (dist/), when this code runs compiled: from TypeScript sources (tests, tsx) the fit runs in-line. */
function workerScript(): string | null {
  if (!fileURLToPath(import.meta.url).endsWith(".js")) return null;
  const script = join(projectRoot(), "dist", "clv-worker.js");
  return existsSync(script) ? script : null;
}

function runInWorker(
  script: string,
  input: FitInput,
  caps: FitCaps,
): Promise<{ pair: FitPair; predictions: Predictions | null }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script);
    worker.once("message", (m: { pair: FitPair; predictions: Predictions | null } | { error: string }) => {
      void worker.terminate();
      if ("error" in m) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`the CLV fit stopped (exit code ${code})`)));
    worker.postMessage({ input, caps });
  });
}

type Prepared = {
  key: string;
  calibrationEnd: string;
  summaries: CustomerSummary[];
  input: FitInput;
  labels: Map<string, { seg: string; persona: string }>;
  dataEnd: string;
};

function prepare(db: Db, datasetId: number, calibrationEnd?: string): Prepared {
  ensureSegments(db, datasetId);
  const end = calibrationEnd ?? defaultCalibrationEnd(db, datasetId);
  const facts = getFacts(db, datasetId);
  const cal = dayNumber(end);
  const summaries = summarise(facts, cal);
  const column = (f: (s: CustomerSummary) => number) => Float64Array.from(summaries, f);
  const input: FitInput = {
    x: column((s) => s.x),
    tx: column((s) => s.tx),
    T: column((s) => s.T),
    m: column((s) => s.m),
    holdout: column((s) => s.holdout),
    holdoutWeeks: (facts.lastDay - cal) / WEEK,
  };
  // segments as of the calibration end (the same RFM rule on the data up to it); personas are the current ones
  const asOf = new Map(rfmAsOf(facts, cal).map((c) => [c.customerId, c.segment as string]));
  const personas = new Map(
    db.$client
      .prepare(
        "SELECT x.customer_id, COALESCE(p.name, '') FROM customer_rfm x JOIN segment_runs s ON s.dataset_id = x.dataset_id LEFT JOIN personas p ON p.dataset_id = x.dataset_id AND p.k = s.chosen_k AND p.cluster = x.persona WHERE x.dataset_id = ?",
      )
      .raw()
      .all(datasetId) as [string, string][],
  );
  const labels = new Map(
    summaries.map((s) => [
      s.customerId,
      { seg: asOf.get(s.customerId) ?? "", persona: personas.get(s.customerId) ?? "" },
    ]),
  );
  return {
    key: `clv2:${segmentsVersion(db, datasetId)}:${end}`,
    calibrationEnd: end,
    summaries,
    input,
    labels,
    dataEnd: dayText(facts.lastDay),
  };
}

function assemble(p: Prepared, pair: FitPair, predictions: Predictions | null, seconds: number): ValueModel {
  const used = pair.used ? pair[pair.used] : null;
  const rows: CustomerValue[] = p.summaries.map((s, i) => {
    const label = p.labels.get(s.customerId);
    const v = (a: Float64Array | undefined) => (a ? a[i] : 0);
    return {
      ...s,
      pAlive: v(predictions?.pAlive),
      purchases30: v(predictions?.purchases30),
      purchases90: v(predictions?.purchases90),
      purchases365: v(predictions?.purchases365),
      expectedValue: v(predictions?.expectedValue),
      revenue365: v(predictions?.purchases365) * v(predictions?.expectedValue),
      segment: label?.seg ?? "",
      persona: label?.persona ?? "",
    };
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
    calibrationEnd: p.calibrationEnd,
    dataEnd: p.dataEnd,
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
    segmentsAsOf: p.calibrationEnd,
    rows,
    holdout,
    seconds,
  };
}

/** Fits now (in the worker when compiled, else in-line) and shares the result; every caller of the key waits for it. */
function start(p: Prepared, caps: FitCaps): Promise<ValueModel> {
  const since = new Date().toISOString();
  const mark = `${fileOf(p.key)}.fitting`;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    writeFileSync(mark, JSON.stringify({ pid: process.pid, since }));
  } catch {
    /* the mark only spares the other web workers a second fit */
  }
  const started = performance.now();
  const script = workerScript();
  if (!script) {
    // from TypeScript sources (tests, tsx scripts) there is no compiled worker: fit here, now
    const pair = fitPair(p.input, caps);
    const model = assemble(
      p,
      pair,
      pair.used ? predict(p.input, pair[pair.used]) : null,
      (performance.now() - started) / 1000,
    );
    remember(p.key, model);
    writeShared(p.key, model);
    rmSync(mark, { force: true });
    return Promise.resolve(model);
  }
  const done = runInWorker(script, p.input, caps)
    .then(({ pair, predictions }) => {
      const model = assemble(p, pair, predictions, (performance.now() - started) / 1000);
      remember(p.key, model);
      writeShared(p.key, model);
      failures.delete(p.key);
      return model;
    })
    .catch((err: Error) => {
      failures.set(p.key, `The customer-value fit failed: ${err.message.slice(0, 200)}`);
      throw err;
    })
    .finally(() => {
      running.delete(p.key);
      rmSync(mark, { force: true });
    });
  done.catch(() => undefined);
  running.set(p.key, { since, done });
  return done;
}

function cached(key: string): ValueModel | null {
  const own = models.get(key);
  if (own) return own;
  const shared = readShared(key);
  if (shared) remember(key, shared);
  return shared;
}

/**
 * The model for a calibration end without waiting: ready (from this process or the shared file), or "fitting" (a fit
 * was started, here or in another web worker), or "failed" with the reason (asked again, it is tried again).
 */
export function valueModelState(
  db: Db,
  datasetId: number,
  calibrationEnd?: string,
  caps: FitCaps = DEFAULT_CAPS,
): ValueState {
  const p = prepare(db, datasetId, calibrationEnd);
  const hit = cached(p.key);
  if (hit) return { status: "ready", model: hit };
  const failed = failures.get(p.key);
  if (failed && !running.has(p.key)) {
    failures.delete(p.key);
    return { status: "failed", error: failed };
  }
  const own = running.get(p.key);
  if (own) return { status: "fitting", since: own.since };
  const elsewhere = fittingElsewhere(p.key);
  if (elsewhere) return { status: "fitting", since: elsewhere };
  const since = new Date().toISOString();
  void start(p, caps);
  const now = models.get(p.key); // fitted in-line (no compiled worker): ready at once
  return now ? { status: "ready", model: now } : { status: "fitting", since };
}

/** The model for a calibration end, waiting for its fit (the CLI). */
export async function valueModel(
  db: Db,
  datasetId: number,
  calibrationEnd?: string,
  caps: FitCaps = DEFAULT_CAPS,
): Promise<ValueModel> {
  const p = prepare(db, datasetId, calibrationEnd);
  const hit = cached(p.key);
  if (hit) return hit;
  return running.get(p.key)?.done ?? start(p, caps);
}

export type GroupValue = {
  group: string;
  customers: number;
  revenue: number;
  revenuePerActiveMonth: number;
  revenuePerOrder: number;
  /** Mean P(alive) over the group's repeat buyers (x > 0); null when it has none. */
  pAlive: number | null;
  repeatBuyers: number;
  purchases30: number;
  purchases90: number;
  purchases365: number;
  revenue365: number;
};

/**
 * Per segment (or persona): historical value and mean predictions. P(alive) is averaged over repeat buyers only: in
 * BG/NBD a customer with no repeat purchase has P(alive) = 1 by construction (FHL 2005 eq. 11), which says nothing.
 */
export function valueByGroup(model: ValueModel, by: "segment" | "persona"): GroupValue[] {
  const groups = new Map<string, CustomerValue[]>();
  for (const r of model.rows) {
    const key = (by === "segment" ? r.segment : r.persona) || "(not scored)";
    const rows = groups.get(key);
    if (rows) rows.push(r);
    else groups.set(key, [r]);
  }
  const mean = (rows: CustomerValue[], f: (r: CustomerValue) => number) =>
    rows.reduce((s, r) => s + f(r), 0) / rows.length;
  return [...groups.entries()]
    .map(([group, rows]) => ({
      group,
      customers: rows.length,
      revenue: rows.reduce((s, r) => s + r.revenue, 0),
      revenuePerActiveMonth: mean(rows, (r) => r.revenue / Math.max(1, r.activeMonths)),
      revenuePerOrder: rows.reduce((s, r) => s + r.revenue, 0) / rows.reduce((s, r) => s + r.orders, 0),
      pAlive: repeatPAlive(rows),
      repeatBuyers: rows.filter((r) => r.x > 0).length,
      purchases30: mean(rows, (r) => r.purchases30),
      purchases90: mean(rows, (r) => r.purchases90),
      purchases365: mean(rows, (r) => r.purchases365),
      revenue365: mean(rows, (r) => r.revenue365),
    }))
    .sort((a, b) => b.revenue365 - a.revenue365);
}

function repeatPAlive(rows: CustomerValue[]): number | null {
  const repeat = rows.filter((r) => r.x > 0);
  return repeat.length ? repeat.reduce((s, r) => s + r.pAlive, 0) / repeat.length : null;
}

/** p_alive stays numeric: 1 for a customer with no repeat purchase (x = 0), as BG/NBD defines it (README). */
export const CLV_CSV_HEADER = [
  "customer_id",
  "segment_at_calibration_end",
  "persona",
  "x",
  "t_x",
  "T",
  "revenue_to_date",
  "orders",
  "active_months",
  "p_alive",
  "purchases_30d",
  "purchases_90d",
  "purchases_365d",
  "expected_order_value",
  "expected_revenue_365d",
  "holdout_purchases",
];
/** CLV_CSV_HEADER with its money columns naming the data set's currency: "revenue_to_date (GBP)" (issue 14). */
export const clvCsvHeader = (currency: string | null | undefined) =>
  moneyHeaders(CLV_CSV_HEADER, ["revenue_to_date", "expected_order_value", "expected_revenue_365d"], currency);
export const clvCsvRow = (r: CustomerValue) => [
  r.customerId,
  r.segment,
  r.persona,
  r.x,
  round(r.tx),
  round(r.T),
  round(r.revenue),
  r.orders,
  r.activeMonths,
  round(r.pAlive, 4),
  round(r.purchases30, 4),
  round(r.purchases90, 4),
  round(r.purchases365, 4),
  round(r.expectedValue),
  round(r.revenue365),
  r.holdout,
];
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
