import { readFileSync } from "node:fs";
import { mulberry32 } from "~/lib/random";
import { standardise, type Matrix } from "~/segments/kmeans";
import { personaFeatures } from "~/segments/rfm";

// Data sets the persona sweep is pinned on (test/fixtures/sweep/expected.json): a generated shop's customers, and a
// few repeated points (exact distance ties, k-means++ with nothing left to pick, empty clusters).

/** Standardised persona features of `n` generated customers: integer recency and orders, spend in cents (ties). */
export function generatedCustomers(n: number, seed: number): Matrix {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rows = Array.from({ length: n }, (_, i) => {
    const loyal = random() < 0.3;
    const orders = 1 + Math.floor(-Math.log(1 - random()) * (loyal ? 6 : 0.8));
    const recency = Math.floor(loyal ? random() * 90 : random() * 373);
    const monetary = Math.round(Math.exp(5 + 0.4 * Math.log(orders) + normal()) * 100) / 100;
    return personaFeatures({ customerId: `c${i}`, recency, frequency: orders, monetary });
  });
  return standardise(rows).z;
}

/** 240 points on 6 distinct positions: most k exceed the distinct points a start can pick. */
export function repeatedPoints(): Matrix {
  const spots = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [2, 2, 2],
    [-1, 0.5, 3],
  ];
  return Array.from({ length: 240 }, (_, i) => [...spots[(i * 7) % 6]]);
}

/** What the sweep gave on a data set before it was made faster (test/fixtures/sweep/make-expected.ts). */
export type ExpectedSweep = {
  points: number;
  bestK: number;
  runs: { k: number; inertia: number; iterations: number; silhouette: number; centroids: Matrix; labels: string }[];
};

export const expectedSweeps = JSON.parse(
  readFileSync(new URL("../fixtures/sweep/expected.json", import.meta.url), "utf8"),
) as Record<string, ExpectedSweep>;

const sklearn = JSON.parse(readFileSync(new URL("../fixtures/sklearn/reference.json", import.meta.url), "utf8")) as {
  blobs: { X: Matrix };
  rfm_like: { rows: number[][] };
};

/** The data sets of expected.json: scikit-learn's two fixtures, the generated customers, the repeated points. */
export const sweepSets: Record<string, () => Matrix> = {
  blobs: () => sklearn.blobs.X,
  rfmLike: () => standardise(sklearn.rfm_like.rows.map((row) => row.map(Math.log1p))).z,
  generated: () => generatedCustomers(3000, 15),
  repeated: repeatedPoints,
};
