import { createHash } from "node:crypto";
import { processAlive, processWide } from "~/lib/process.server";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Db } from "~/db/db.server";
import { customerPersonaNames } from "~/segments/store.server";
import { customerOrders, dayNumber, dayText } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { getDataset } from "~/db/datasets.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { warehouseFor } from "~/db/warehouse.server";
import { customersAsOfQuery } from "~/segments/warehouse-sql";
import { summariesQuery } from "./warehouse-sql";
import { databasePath, projectRoot } from "~/db/paths.server";
import { rfmVersion, segmentsVersion } from "~/db/version.server";
import { memo } from "~/analytics/memo.server";
import { DEFAULT_CAPS, type FitCaps } from "./clv-fit";
import {
  buildValueModel,
  customerValue,
  type CustomerValue,
  type FitAnswer,
  type FitMessage,
  type ValueJob,
  type ValueModel,
} from "./clv-model";
import { moneyHeaders } from "~/lib/currency";

// Customer lifetime value of the active data set: historical value and the BG/NBD + Gamma-Gamma predictions (#12 item 3,
// #14 item 4). The model is built off the request path, in a worker thread (dist/clv-worker.js): the summaries and RFM
// as of the calibration end, then both fits with caps on evaluations and time; a request that finds no model yet sends
// the thread the job (the order columns only when it does not hold them) and waits up to a second for it, else is told
// "fitting" (the page polls, /api/clv answers 202): a new calibration end takes ~0.1 s (issue 15). The result is kept
// per (data set and RFM version, calibration end) in this process and in a file beside the database, so every web
// worker and the CLI share one fit; a fit under way is marked there too. The chosen k is not in the key: personas do
// not change the fit, so each reader labels its rows with the current personas (choosing k had made every page that
// reads personas wait behind a new fit's preparation, issue 15).

export type { CustomerValue, ValueModel } from "./clv-model";

export type ValueState =
  { status: "ready"; model: ValueModel } | { status: "fitting"; since: string } | { status: "failed"; error: string };

/** A fit marked as under way longer than this (its process died) is started again. */
const STALE_FIT_MS = 120_000;

/**
 * The data's first and last day: an imported data set's facts, or a warehouse data set's stored date range (issue 17:
 * the report's, over the same kept orders as the facts' bounds), so that no warehouse query runs on the request path.
 */
function dataSpan(db: Db, datasetId: number): { firstDay: number; lastDay: number } {
  const dataset = getDataset(db, datasetId);
  if (dataset?.kind === "warehouse") {
    const day = (at: string | null) => dayNumber((at ?? "1970-01-01").slice(0, 10));
    return { firstDay: day(dataset.firstAt), lastDay: day(dataset.lastAt) };
  }
  const facts = getFacts(db, datasetId);
  return { firstDay: facts.firstDay, lastDay: facts.lastDay };
}

function defaultCalibrationEnd(db: Db, datasetId: number): string {
  const { firstDay, lastDay } = dataSpan(db, datasetId);
  // a quarter of the data span as holdout, the rest to calibrate (at least 4 weeks of holdout)
  const span = lastDay - firstDay;
  return dayText(lastDay - Math.max(28, Math.round(span / 4)));
}

// ---- the shared cache: this process's models, and files beside the database --------------------------------------

const models = processWide("clv-models", () => new Map<string, ValueModel>());
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

/**
 * Writes the model beside the database for the other processes: in the background on the server (only the JSON text,
 * ~7 ms, is made on this thread), at once when the fit ran in-line (tests, tsx scripts).
 */
async function writeShared(key: string, model: ValueModel, now = false): Promise<void> {
  const tmp = `${fileOf(key)}.${process.pid}.${++written}.tmp`;
  try {
    if (now) {
      mkdirSync(cacheDir(), { recursive: true });
      writeFileSync(tmp, JSON.stringify(model));
      renameSync(tmp, `${fileOf(key)}.json`);
      return;
    }
    await mkdir(cacheDir(), { recursive: true });
    await writeFile(tmp, JSON.stringify(model));
    await rename(tmp, `${fileOf(key)}.json`);
  } catch {
    /* this process still has it in memory */
  }
}
let written = 0;

/** Whether another process is fitting this key now (its mark is fresh and its process alive). */
function fittingElsewhere(key: string): string | null {
  const mark = `${fileOf(key)}.fitting`;
  try {
    const { pid, since } = JSON.parse(readFileSync(mark, "utf8")) as { pid: number; since: string };
    if (pid === process.pid || Date.now() - statSync(mark).mtimeMs > STALE_FIT_MS || !processAlive(pid)) return null;
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

/**
 * The CLV thread of this process: started by the first fit, kept for the next ones with the order columns it was last
 * sent (dataKey), and stopped a minute after its last job. Starting a thread for each fit cost ~0.15 s (loading the
 * modules, cold compiled code) and a copy of the columns, a share of a new calibration end's wait (issue 15).
 */
type FitThread = {
  worker: Worker;
  /** The data version whose order columns the thread holds. */
  dataKey: string | null;
  pending: Map<number, { resolve: (model: ValueModel) => void; reject: (err: Error) => void }>;
  idle: NodeJS.Timeout | null;
};
let thread: FitThread | null = null;
let lastJob = 0;
const THREAD_IDLE_MS = 60_000;

function fitThread(script: string): FitThread {
  if (thread) return thread;
  const t: FitThread = { worker: new Worker(script), dataKey: null, pending: new Map(), idle: null };
  const stop = (err: Error) => {
    if (thread === t) thread = null;
    for (const job of t.pending.values()) job.reject(err);
    t.pending.clear();
  };
  t.worker.on("message", (answer: FitAnswer) => {
    const job = t.pending.get(answer.id);
    t.pending.delete(answer.id);
    if ("error" in answer) job?.reject(new Error(answer.error));
    else job?.resolve(answer.model);
    if (t.pending.size) return;
    t.worker.unref(); // an idle thread keeps no process (the CLI) alive
    t.idle = setTimeout(() => {
      if (thread === t) thread = null;
      void t.worker.terminate();
    }, THREAD_IDLE_MS).unref();
  });
  t.worker.on("error", stop);
  t.worker.on("exit", (code) => stop(new Error(`the CLV fit stopped (exit code ${code})`)));
  return (thread = t);
}

/** Runs a job on the CLV thread: an imported data set's order columns are sent when the thread does not hold them. */
function runInThread(script: string, dataKey: string | null, job: ValueJob): Promise<ValueModel> {
  const t = fitThread(script);
  if (t.idle) clearTimeout(t.idle);
  t.idle = null;
  t.worker.ref();
  const id = ++lastJob;
  let message: FitMessage = { id, dataKey, job };
  let moved: ArrayBuffer[] = [];
  if ("facts" in job) {
    const { facts, ...common } = job;
    if (dataKey !== null && t.dataKey === dataKey) message = { id, dataKey, job: common };
    else {
      // copies of just the order columns (customerOrders), moved to the thread, not copied again
      const copies = customerOrders(facts);
      moved = [copies.orders, copies.customers].flatMap(buffersOf);
      message = { id, dataKey, job: { ...common, facts: copies } };
      t.dataKey = dataKey;
    }
  }
  return new Promise((resolve, reject) => {
    t.pending.set(id, { resolve, reject });
    t.worker.postMessage(message, moved);
  });
}

const buffersOf = (columns: object): ArrayBuffer[] =>
  Object.values(columns).flatMap((c) => (ArrayBuffer.isView(c) ? [c.buffer as ArrayBuffer] : []));

/** The cache key of a calibration end (the default one when none is given): cheap, on the request path. */
function keyOf(
  db: Db,
  datasetId: number,
  calibrationEnd?: string,
): { key: string; dataKey: string; calibrationEnd: string } {
  const end = calibrationEnd ?? defaultCalibrationEnd(db, datasetId);
  const dataKey = rfmVersion(db, datasetId);
  return { key: `clv3:${dataKey}:${end}`, dataKey, calibrationEnd: end };
}

/**
 * What the worker needs: the order columns (the facts' own; runInThread sends copies) and the calibration end. A warehouse data set (issue 17)
 * sends instead its summaries and RFM inputs as of the calibration end, computed by their SQL builders in its
 * PostgreSQL (one row per customer; awaited, so the request path never waits on them).
 */
function jobOf(db: Db, datasetId: number, calibrationEnd: string, caps: FitCaps): ValueJob | Promise<ValueJob> {
  const common = {
    calibrationEnd,
    dataEnd: dayText(dataSpan(db, datasetId).lastDay),
    caps,
    holdMillis: process.env.CAMPAIGN_LAB_FAULT === "slow-clv-prepare" ? SLOW_PREPARE_MS : undefined,
  };
  const connection = warehouseConnection(db, datasetId);
  if (!connection) return { ...common, facts: getFacts(db, datasetId) };
  const wh = warehouseFor(connection.url);
  const end = dayNumber(calibrationEnd);
  return Promise.all([
    wh.run(summariesQuery(connection.source, end)),
    wh.run(customersAsOfQuery(connection.source, end)),
  ]).then(([summaries, asOf]) => ({ ...common, summaries, asOf }));
}
/** The tests' hold on the preparation (CAMPAIGN_LAB_FAULT=slow-clv-prepare): far longer than a request may take. */
const SLOW_PREPARE_MS = 8_000;

/** Builds the model now (in the worker when compiled, else in-line) and shares it; every caller of the key waits for it. */
function start(key: string, dataKey: string, job: () => ValueJob | Promise<ValueJob>): Promise<ValueModel> {
  const since = new Date().toISOString();
  const mark = `${fileOf(key)}.fitting`;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    writeFileSync(mark, JSON.stringify({ pid: process.pid, since }));
  } catch {
    /* the mark only spares the other web workers a second fit */
  }
  const script = workerScript();
  let made: ValueJob | Promise<ValueJob>;
  try {
    made = job();
  } catch (err) {
    rmSync(mark, { force: true });
    throw err;
  }
  if (!script && !(made instanceof Promise)) {
    // from TypeScript sources (tests, tsx scripts) there is no compiled worker: build it here, now
    const model = buildValueModel(made);
    remember(key, model);
    void writeShared(key, model, true);
    rmSync(mark, { force: true });
    return Promise.resolve(model);
  }
  // a warehouse data set's job comes from its PostgreSQL: the fit starts when both queries have answered
  const done = Promise.resolve(made)
    .then((ready) => (script ? runInThread(script, "facts" in ready ? dataKey : null, ready) : buildValueModel(ready)))
    .then((model) => {
      remember(key, model);
      failures.delete(key);
      // the mark stays until the file is there: another web worker asking meanwhile waits for the file
      void writeShared(key, model).finally(() => rmSync(mark, { force: true }));
      return model;
    })
    .catch((err: Error) => {
      failures.set(key, `The customer-value fit failed: ${err.message.slice(0, 200)}`);
      rmSync(mark, { force: true });
      throw err;
    })
    .finally(() => running.delete(key));
  done.catch(() => undefined);
  running.set(key, { since, done });
  return done;
}

/**
 * The model with each customer's current persona (the fit's rows carry none): relabelled once per chosen k, and only
 * the labels are new (a few milliseconds for 4,000 customers, no fit).
 */
function withPersonas(db: Db, datasetId: number, key: string, model: ValueModel): ValueModel {
  return memo(
    `clv-personas:${key}:${segmentsVersion(db, datasetId)}`,
    () => {
      const names = new Map(customerPersonaNames(db, datasetId));
      return { ...model, rows: model.rows.map((r) => customerValue(r, r, names.get(r.customerId) ?? "")) };
    },
    (m) => m.rows.length * ROW_BYTES,
  );
}
/** About what one labelled row holds (16 fields), for the memo's byte bound. */
const ROW_BYTES = 400;

function cached(key: string): ValueModel | null {
  const own = models.get(key);
  if (own) return own;
  const shared = readShared(key);
  if (shared) remember(key, shared);
  return shared;
}

/**
 * How long after a fit starts a page or /api/clv waits for it before answering "fitting": a new calibration end takes
 * ~0.1 s. Counted from the fit's start, not each request's: a longer fit (15M lines) answers every later request at once.
 */
const FIT_WAIT_MS = 1_000;
const waitLeft = (since: string, waitMillis: number) => Math.max(0, Date.parse(since) + waitMillis - Date.now());

/** The fit's model if it ends within ms, else null (a failure is recorded in `failures`). */
async function within(done: Promise<ValueModel>, ms: number): Promise<ValueModel | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, ms, null)));
  try {
    return await Promise.race([done.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Another web worker's fit of this key, if its file appears within ms (looked for every 25 ms while it is marked). */
async function sharedWithin(key: string, ms: number): Promise<ValueModel | null> {
  for (const until = Date.now() + ms; Date.now() < until && fittingElsewhere(key);) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const model = cached(key);
    if (model) return model;
  }
  return cached(key);
}

/**
 * The model for a calibration end, waiting at most waitMillis from the fit's start: ready (from this process or the
 * shared file, or a fit of this process that ended meanwhile), or "fitting" (the fit runs on, here or in another web
 * worker), or "failed" with the reason (asked again, it is tried again).
 */
export async function valueModelState(
  db: Db,
  datasetId: number,
  calibrationEnd?: string,
  caps: FitCaps = DEFAULT_CAPS,
  waitMillis = FIT_WAIT_MS,
): Promise<ValueState> {
  const { key, dataKey, calibrationEnd: end } = keyOf(db, datasetId, calibrationEnd);
  const hit = cached(key);
  if (hit) return { status: "ready", model: withPersonas(db, datasetId, key, hit) };
  const failed = failures.get(key);
  if (failed && !running.has(key)) {
    failures.delete(key);
    return { status: "failed", error: failed };
  }
  const elsewhere = running.has(key) ? null : fittingElsewhere(key);
  if (elsewhere) {
    const model = await sharedWithin(key, waitLeft(elsewhere, waitMillis));
    return model
      ? { status: "ready", model: withPersonas(db, datasetId, key, model) }
      : { status: "fitting", since: elsewhere };
  }
  const since = running.get(key)?.since ?? new Date().toISOString();
  const done = running.get(key)?.done ?? start(key, dataKey, () => jobOf(db, datasetId, end, caps));
  const model = models.get(key) ?? (await within(done, waitLeft(since, waitMillis))); // in-line: ready at once
  if (model) return { status: "ready", model: withPersonas(db, datasetId, key, model) };
  const error = running.has(key) ? undefined : failures.get(key);
  if (error) {
    failures.delete(key);
    return { status: "failed", error };
  }
  return { status: "fitting", since };
}

/** The model for a calibration end, waiting for its fit (the CLI). */
export async function valueModel(
  db: Db,
  datasetId: number,
  calibrationEnd?: string,
  caps: FitCaps = DEFAULT_CAPS,
): Promise<ValueModel> {
  const { key, dataKey, calibrationEnd: end } = keyOf(db, datasetId, calibrationEnd);
  const hit = cached(key);
  const model = hit ?? (await (running.get(key)?.done ?? start(key, dataKey, () => jobOf(db, datasetId, end, caps))));
  return withPersonas(db, datasetId, key, model);
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
const CLV_CSV_HEADER = [
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
