import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silhouettes, standardise, sweepK, type Matrix } from "~/segments/kmeans";
import { splitKs, sweepKParallel } from "~/segments/sweep.server";
import { ROOT } from "../support/cli";

// The two-thread persona sweep (compiled worker in dist/, built by the test setup) against the one-thread sweepK on
// the scikit-learn fixture's 1,500 RFM-like customers (above the 1,000 points where the threaded path starts).

const ref = JSON.parse(readFileSync(new URL("../fixtures/sklearn/reference.json", import.meta.url), "utf8")) as {
  rfm_like: { rows: [number, number, number][] };
};
const z = standardise(ref.rfm_like.rows.map((row) => row.map(Math.log1p)) as Matrix).z;
const WORKER = join(ROOT, "dist", "sweep-worker.js");

describe("persona sweep on two threads", () => {
  it("splits the k values by cost, longest first, into two near-equal halves", () => {
    const { worker, main } = splitKs([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...worker, ...main].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum(worker) - sum(main))).toBeLessThanOrEqual(2);
  });

  it("gives sweepK's clusterings, its silhouettes to 1e-12 and the same proposed k", async () => {
    expect(z.length).toBeGreaterThanOrEqual(1000);
    const one = sweepK(z, 2, 10, 10, 42);
    const two = await sweepKParallel(z, 2, 10, 10, 42, WORKER);
    expect(two.clusterings.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    two.clusterings.forEach((c, q) => {
      expect(c.labels).toEqual(one.clusterings[q].labels);
      expect(c.centroids).toEqual(one.clusterings[q].centroids);
      expect(c.inertia).toBe(one.clusterings[q].inertia);
    });
    two.rows.forEach((r, q) => expect(Math.abs(r.silhouette - one.rows[q].silhouette)).toBeLessThan(1e-12));
    expect(two.bestK).toBe(one.bestK);
    // and the one-thread silhouettes are the exact ones (the split pass adds the same sums in another order)
    expect(silhouettes(z, one.clusterings)[0]).toBe(one.rows[0].silhouette);
  });

  it("sweeps in one thread without a worker script, with the same result", async () => {
    const small = z.slice(0, 300);
    expect(await sweepKParallel(small, 2, 6, 3, 7, null)).toEqual(sweepK(small, 2, 6, 3, 7));
  });
});
