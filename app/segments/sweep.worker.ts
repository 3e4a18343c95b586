import { parentPort, workerData } from "node:worker_threads";
import { bestKmeans, silhouetteTotals, type Labeling, type Points } from "./kmeans";

// A thread of the persona sweep (sweep.server.ts): k-means for each k it is given, then the silhouettes' totals of
// its share of the points. Same functions as sweepK, so the result does not depend on the split.

export type SweepWorkerData = { points: Points; restarts: number; seed: number };
export type SweepRequest =
  | { type: "kmeans"; k: number }
  | { type: "silhouettes"; points: Points; labelings: Labeling[]; from: number; to: number };

const { points, restarts, seed } = workerData as SweepWorkerData;

parentPort!.on("message", (request: SweepRequest) => {
  if (request.type === "kmeans") {
    parentPort!.postMessage(bestKmeans(points, request.k, restarts, seed));
  } else {
    const totals = silhouetteTotals(request.points, request.labelings, request.from, request.to);
    parentPort!.postMessage(totals, [totals.buffer as ArrayBuffer]);
  }
});
