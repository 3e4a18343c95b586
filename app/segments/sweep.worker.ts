import { parentPort, workerData } from "node:worker_threads";
import { bestKmeans, scoredSweep, silhouetteTotals, type Clustering, type Labeling, type Points } from "./kmeans";

// A thread of the persona sweep (sweep.server.ts): k-means for each k it takes from the shared queue, then (alone) the
// whole sweep's silhouettes, or (one of several) the silhouettes' totals of its share of the points. Same functions
// as sweepK, so the result does not depend on the split.

/** `next`: shared by the sweep's threads, the index in `ks` of the next k to take (Atomics.add). */
export type SweepWorkerData = { points: Points; restarts: number; seed: number; ks: number[]; next: Int32Array };
export type SweepRequest =
  | { type: "kmeans" }
  | { type: "sweep"; kMin: number }
  | { type: "silhouettes"; points: Points; labelings: Labeling[]; from: number; to: number };

const { points, restarts, seed, ks, next } = workerData as SweepWorkerData;

/** The k's this thread takes from the queue until it is empty: no other thread hands them out. */
function kmeansFromQueue(): Clustering[] {
  const done: Clustering[] = [];
  for (let i = Atomics.add(next, 0, 1); i < ks.length; i = Atomics.add(next, 0, 1))
    done.push(bestKmeans(points, ks[i], restarts, seed));
  return done;
}

parentPort!.on("message", (request: SweepRequest) => {
  if (request.type === "kmeans") {
    parentPort!.postMessage(kmeansFromQueue());
  } else if (request.type === "sweep") {
    parentPort!.postMessage(scoredSweep(points, kmeansFromQueue(), request.kMin, seed));
  } else {
    const totals = silhouetteTotals(request.points, request.labelings, request.from, request.to);
    parentPort!.postMessage(totals, [totals.buffer as ArrayBuffer]);
  }
});
