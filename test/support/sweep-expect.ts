import { expect } from "vitest";
import type { Sweep } from "~/segments/kmeans";
import type { ExpectedSweep } from "./sweep-data";

/** The same labels, centroids, inertia and iterations exactly; silhouettes to 1e-12 (sums added in another order). */
export function expectSweepAsBefore(sweep: Sweep, want: ExpectedSweep) {
  expect(sweep.clusterings.map((c) => c.k)).toEqual(want.runs.map((r) => r.k));
  sweep.clusterings.forEach((c, q) => {
    const run = want.runs[q];
    expect(c.labels.join("")).toBe(run.labels);
    expect(c.centroids).toEqual(run.centroids);
    expect(c.inertia).toBe(run.inertia);
    expect(c.iterations).toBe(run.iterations);
    expect(sweep.rows[q].inertia).toBe(run.inertia);
    expect(Math.abs(sweep.rows[q].silhouette - run.silhouette)).toBeLessThanOrEqual(1e-12);
  });
  expect(sweep.bestK).toBe(want.bestK);
}
