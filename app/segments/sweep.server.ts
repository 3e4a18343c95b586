import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { projectRoot } from "~/db/paths.server";
import {
  bestKmeans,
  halfOfPairs,
  silhouetteSampleOf,
  silhouetteScores,
  silhouetteSums,
  sweepK,
  sweepOf,
  type Clustering,
  type Matrix,
  type Sweep,
} from "./kmeans";
import type { SweepRequest, SweepWorkerData } from "./sweep.worker";

// The persona sweep on both cores (docs/decisions/0011-workers.md): a worker thread takes about half of the k values
// (longest first, by cost ∝ k) and then half of the silhouettes' point pairs while this thread does the rest.

/** Below this many customers a thread costs more to start than it saves. */
const PARALLEL_FROM = 1_000;

/** The compiled worker (dist/), when this code runs compiled too: TypeScript sources (tests, tsx) sweep in one thread. */
function sweepWorkerScript(): string | null {
  if (!fileURLToPath(import.meta.url).endsWith(".js")) return null;
  const script = join(projectRoot(), "dist", "sweep-worker.js");
  return existsSync(script) ? script : null;
}

/** Longest-processing-time split of the k values between the worker and this thread (k-means cost grows with k). */
export function splitKs(ks: number[]): { worker: number[]; main: number[] } {
  const worker: number[] = [];
  const main: number[] = [];
  let w = 0;
  let m = 0;
  for (const k of [...ks].sort((a, b) => b - a)) {
    if (w <= m) {
      worker.push(k);
      w += k;
    } else {
      main.push(k);
      m += k;
    }
  }
  return { worker, main };
}

/** sweepK on two threads: the same clusterings, silhouettes equal up to the order of floating-point additions. */
export async function sweepKParallel(
  data: Matrix,
  kMin = 2,
  kMax = 10,
  restarts = 10,
  seed = 42,
  script = sweepWorkerScript(),
): Promise<Sweep> {
  const n = data.length;
  if (!script || n < PARALLEL_FROM) return sweepK(data, kMin, kMax, restarts, seed);
  const d = data[0].length;
  const flat = new Float64Array(n * d);
  data.forEach((row, i) => row.forEach((v, t) => (flat[i * d + t] = v)));
  const worker = new Worker(script, { workerData: { flat, n, d, restarts, seed } satisfies SweepWorkerData });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the persona sweep worker stopped (exit code ${code})`)));
  });
  failed.catch(() => undefined); // seen through ask(); a late failure after the answers is of no consequence
  const ask = <T>(request: SweepRequest, transfer: ArrayBuffer[] = []) => {
    const answer = new Promise<T>((resolve) => worker.once("message", resolve));
    worker.postMessage(request, transfer);
    return Promise.race([answer, failed]);
  };
  try {
    const ks = Array.from({ length: Math.max(0, Math.min(kMax, n - 1) - kMin + 1) }, (_, i) => kMin + i);
    const split = splitKs(ks);
    const theirs = ask<Clustering[]>({ type: "kmeans", ks: split.worker });
    const ours = split.main.map((k) => bestKmeans(data, k, restarts, seed));
    const clusterings = [...(await theirs), ...ours].sort((a, b) => a.k - b.k);

    const sampled = silhouetteSampleOf(n, seed);
    const m = sampled ? sampled.length : n;
    const points = new Float64Array(m * d);
    for (let i = 0; i < m; i++)
      points.set(flat.subarray((sampled ? sampled[i] : i) * d, (sampled ? sampled[i] : i) * d + d), i * d);
    const labels = clusterings.map((c) => Int32Array.from(sampled ? sampled.map((i) => c.labels[i]) : c.labels));
    const kOf = clusterings.map((c) => c.k);
    const half = halfOfPairs(m);
    const second = ask<Float64Array>({ type: "sums", points, labels, ks: kOf, from: half, to: m });
    const sums = silhouetteSums(points, d, labels, kOf, 0, half);
    const rest = await second;
    for (let i = 0; i < sums.length; i++) sums[i] += rest[i];
    return sweepOf(clusterings, silhouetteScores(sums, labels, kOf), sampled, kMin);
  } finally {
    worker.removeAllListeners("exit");
    await worker.terminate();
  }
}
