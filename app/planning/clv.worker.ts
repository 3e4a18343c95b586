import { parentPort } from "node:worker_threads";
import type { CustomerOrders } from "~/analytics/facts";
import { buildValueModel, type FitAnswer, type FitMessage, type ValueJob } from "./clv-model";
import { messageOf } from "~/lib/errors";

// The CLV thread (#12 item 3): the customer summaries, RFM as of the calibration end, both fits and the predictions of
// the one used, all off the web worker's event loop (a fit on Online Retail had blocked every request for a minute,
// and the summaries and RFM as of T still held the request ~0.7 s). One job at a time, in the order posted; the caps
// bound each fit. The thread stays between jobs and keeps the last data set's order columns (a job of the same data
// comes without them), so a new calibration end pays neither the thread's start nor a copy of the columns, and finds
// the buyers' purchase days and RFM as of recent ends already worked out (issue 15).

let kept: { key: string; facts: CustomerOrders } | null = null;

parentPort!.on("message", ({ id, dataKey, job }: FitMessage) => {
  try {
    if ("facts" in job && dataKey) kept = { key: dataKey, facts: job.facts };
    let whole: ValueJob;
    if ("facts" in job || "summaries" in job) whole = job;
    else if (kept && kept.key === dataKey) whole = { ...job, facts: kept.facts };
    else throw new Error("the fit's thread no longer holds this data set's orders");
    parentPort!.postMessage({ id, model: buildValueModel(whole) } satisfies FitAnswer);
  } catch (err) {
    parentPort!.postMessage({ id, error: messageOf(err) } satisfies FitAnswer);
  }
});
