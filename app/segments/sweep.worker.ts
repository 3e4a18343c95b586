import { parentPort, workerData } from "node:worker_threads";
import { bestKmeans, silhouetteSums, type Matrix } from "./kmeans";

// The persona sweep's second thread (sweep.server.ts): k-means for the k values it is given, then its share of the
// silhouettes' pair sums. Same functions as the main thread, so the result does not depend on the split.

export type SweepWorkerData = { flat: Float64Array; n: number; d: number; restarts: number; seed: number };
export type SweepRequest =
  | { type: "kmeans"; ks: number[] }
  | { type: "sums"; points: Float64Array; labels: Int32Array[]; ks: number[]; from: number; to: number };

const { flat, n, d, restarts, seed } = workerData as SweepWorkerData;
const data: Matrix = Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, i * d + d)));

parentPort!.on("message", (request: SweepRequest) => {
  if (request.type === "kmeans") {
    parentPort!.postMessage(request.ks.map((k) => bestKmeans(data, k, restarts, seed)));
  } else {
    const sums = silhouetteSums(request.points, d, request.labels, request.ks, request.from, request.to);
    parentPort!.postMessage(sums, [sums.buffer as ArrayBuffer]);
  }
});
