import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { projectRoot } from "~/db/paths.server";
import { pointsOf, silhouetteInputs, sweepK, sweepOf, type Clustering, type Matrix, type Sweep } from "./kmeans";
import type { SweepRequest, SweepWorkerData } from "./sweep.worker";

// The persona sweep in worker threads (docs/decisions/0011-workers.md): the calling thread only hands out work, so an
// import can use it meanwhile. Each worker takes the next k (largest first) as soon as it is free, then its half of
// the points' silhouettes.

/** Below this many customers a thread costs more to start than it saves. */
const PARALLEL_FROM = 1_000;

/** The compiled worker (dist/), when this code runs compiled too: TypeScript sources (tests, tsx) sweep in one thread. */
function sweepWorkerScript(): string | null {
  if (!fileURLToPath(import.meta.url).endsWith(".js")) return null;
  const script = join(projectRoot(), "dist", "sweep-worker.js");
  return existsSync(script) ? script : null;
}

/** A worker thread answering one request at a time; a failure rejects the pending answer. */
function sweepWorker(script: string, data: SweepWorkerData) {
  const worker = new Worker(script, { workerData: data });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the persona sweep worker stopped (exit code ${code})`)));
  });
  failed.catch(() => undefined); // seen through ask(); a late failure after the answers is of no consequence
  return {
    ask<T>(request: SweepRequest): Promise<T> {
      const answer = new Promise<T>((resolve) => worker.once("message", resolve));
      worker.postMessage(request);
      return Promise.race([answer, failed]);
    },
    async stop() {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}

/**
 * sweepK in `threads` worker threads: the same clusterings, silhouettes equal up to the order of additions. The threads
 * take the k's from a shared queue, and one thread alone goes on to the silhouettes, so the sweep does not wait for
 * this thread's turns: an import copies its lines on it meanwhile, in synchronous calls of up to half a second.
 */
export async function sweepKParallel(
  data: Matrix,
  kMin = 2,
  kMax = 10,
  restarts = 10,
  seed = 42,
  script = sweepWorkerScript(),
  threads = 2,
): Promise<Sweep> {
  const n = data.length;
  if (!script || n < PARALLEL_FROM) return sweepK(data, kMin, kMax, restarts, seed);
  const points = pointsOf(data);
  // largest k first: the longest runs start first, so the threads end close together
  const ks = Array.from({ length: Math.max(0, Math.min(kMax, n - 1) - kMin + 1) }, (_, i) => kMax - i);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: threads }, () => sweepWorker(script, { points, restarts, seed, ks, next }));
  try {
    if (threads === 1) return await workers[0].ask<Sweep>({ type: "sweep", kMin });
    const clusterings = (await Promise.all(workers.map((worker) => worker.ask<Clustering[]>({ type: "kmeans" }))))
      .flat()
      .sort((a, b) => a.k - b.k);
    const { scored, labelings, sampled } = silhouetteInputs(points, clusterings, seed);
    const m = scored.n;
    const totals = await Promise.all(
      workers.map((worker, w) =>
        worker.ask<Float64Array>({
          type: "silhouettes",
          points: scored,
          labelings,
          from: Math.floor((m * w) / threads),
          to: Math.floor((m * (w + 1)) / threads),
        }),
      ),
    );
    const scores = labelings.map((_, q) => totals.reduce((s, t) => s + t[q], 0) / m);
    return sweepOf(clusterings, scores, sampled, kMin);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}
