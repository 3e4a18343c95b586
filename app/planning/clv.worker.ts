import { parentPort } from "node:worker_threads";
import { buildValueModel, type ValueJob } from "./clv-model";
import { messageOf } from "~/lib/errors";

// The CLV thread (#12 item 3): the customer summaries, RFM as of the calibration end, both fits and the predictions of
// the one used, all off the web worker's event loop (a fit on Online Retail had blocked every request for a minute,
// and the summaries and RFM as of T still held the request ~0.7 s). One job at a time; the caps bound each fit.

parentPort!.on("message", (job: ValueJob) => {
  try {
    parentPort!.postMessage({ model: buildValueModel(job) });
  } catch (err) {
    parentPort!.postMessage({ error: messageOf(err) });
  }
});
