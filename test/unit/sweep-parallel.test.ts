import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sweepK } from "~/segments/kmeans";
import { sweepKParallel } from "~/segments/sweep.server";
import { ROOT } from "../support/cli";
import { expectedSweeps, sweepSets } from "../support/sweep-data";
import { expectSweepAsBefore } from "../support/sweep-expect";

// The persona sweep in worker threads (compiled worker in dist/, built by the test setup) gives what the one-thread
// sweep gave before it was made faster, on the 1,500 RFM-like and 3,000 generated customers (above the 1,000 points
// where the threaded path starts), whatever the number of threads.

const WORKER = join(ROOT, "dist", "sweep-worker.js");

describe("persona sweep in worker threads", () => {
  for (const [name, threads] of [
    ["rfmLike", 1],
    ["generated", 2],
  ] as const) {
    it(`${name}, ${threads} threads: the same clusterings, silhouettes to 1e-12 and proposed k`, async () => {
      const data = sweepSets[name]();
      expect(data.length).toBeGreaterThanOrEqual(1000);
      expectSweepAsBefore(await sweepKParallel(data, 2, 10, 10, 42, WORKER, threads), expectedSweeps[name]);
    });
  }

  it("sweeps in one thread without a worker script, with the same result", async () => {
    const small = sweepSets.rfmLike().slice(0, 300);
    expect(await sweepKParallel(small, 2, 6, 3, 7, null)).toEqual(sweepK(small, 2, 6, 3, 7));
  });
});
