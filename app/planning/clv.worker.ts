import { parentPort } from "node:worker_threads";
import { fitPair, predict, type FitCaps, type FitInput } from "./clv-fit";

// The CLV fits' thread (#12 item 3): both fits and the predictions of the one used, off the web worker's event loop
// (a fit on Online Retail had blocked every request for a minute). One request at a time; the caps bound each fit.

export type ClvRequest = { input: FitInput; caps: FitCaps };

parentPort!.on("message", ({ input, caps }: ClvRequest) => {
  try {
    const pair = fitPair(input, caps);
    const used = pair.used ? pair[pair.used] : null;
    parentPort!.postMessage({ pair, predictions: used ? predict(input, used) : null });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
