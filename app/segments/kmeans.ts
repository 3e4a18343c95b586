import { mulberry32 } from "~/lib/random";

// k-means personas (PRODUCT.md §3): standardised log features, k-means++ with restarts (lowest inertia kept), and the
// exact mean silhouette with plain Euclidean distances, as scikit-learn's KMeans(n_init) and silhouette_score.

export type Matrix = number[][];

/** Columns standardised to mean 0 and population standard deviation 1 (scikit-learn StandardScaler). */
export function standardise(rows: Matrix): { z: Matrix; mean: number[]; sd: number[] } {
  const d = rows[0]?.length ?? 0;
  const n = rows.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n) || 1,
  );
  return { z: rows.map((r) => r.map((v, j) => (v - mean[j]) / sd[j])), mean, sd };
}

const squared = (p: number[], q: number[]) => {
  let s = 0;
  for (let j = 0; j < p.length; j++) s += (p[j] - q[j]) ** 2;
  return s;
};

export type Clustering = { k: number; labels: number[]; centroids: Matrix; inertia: number; iterations: number };

function meanVariance(flat: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let t = 0; t < d; t++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += flat[i * d + t];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (flat[i * d + t] - mean) ** 2;
    total += v / n;
  }
  return total / d;
}

/**
 * One Lloyd run from a greedy k-means++ start (Arthur & Vassilvitskii 2007, with 2 + ⌊ln k⌋ local trials per centre as
 * scikit-learn does), on points stored row-major in `flat`. Stops when no label changes (or after 300 iterations).
 */
function lloyd(flat: Float64Array, n: number, d: number, k: number, random: () => number) {
  const centroids = new Float64Array(k * d);
  const closest = new Float64Array(n);
  const dist2 = (i: number, c: Float64Array, ci: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = flat[i * d + t] - c[ci * d + t];
      s += diff * diff;
    }
    return s;
  };
  const pick = (weights: Float64Array, total: number) => {
    let target = random() * total;
    for (let i = 0; i < n; i++) if ((target -= weights[i]) <= 0) return i;
    return n - 1;
  };
  const first = Math.floor(random() * n);
  for (let t = 0; t < d; t++) centroids[t] = flat[first * d + t];
  let potential = 0;
  for (let i = 0; i < n; i++) potential += closest[i] = dist2(i, centroids, 0);
  const trials = 2 + Math.floor(Math.log(k));
  const candidate = new Float64Array(d);
  const trialDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPotential = Infinity;
    let bestPoint = 0;
    for (let trial = 0; trial < trials; trial++) {
      const p = potential > 0 ? pick(closest, potential) : Math.floor(random() * n);
      for (let t = 0; t < d; t++) candidate[t] = flat[p * d + t];
      let pot = 0;
      for (let i = 0; i < n; i++) {
        const dd = Math.min(closest[i], dist2(i, candidate, 0));
        trialDist[i] = dd;
        pot += dd;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestPoint = p;
        bestDist.set(trialDist);
      }
    }
    for (let t = 0; t < d; t++) centroids[c * d + t] = flat[bestPoint * d + t];
    closest.set(bestDist);
    potential = bestPotential;
  }

  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const previous = new Float64Array(k * d);
  // scikit-learn's stopping rule: centres moved less than tol = 1e-4 × mean feature variance (1 for standardised data)
  const tol = 1e-4 * meanVariance(flat, n, d);
  let iterations = 0;
  const assign = () => {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      const base = i * d;
      for (let c = 0; c < k; c++) {
        let dd = 0;
        const cb = c * d;
        for (let t = 0; t < d; t++) {
          const diff = flat[base + t] - centroids[cb + t];
          dd += diff * diff;
        }
        if (dd < bestD) {
          bestD = dd;
          best = c;
        }
      }
      closest[i] = bestD;
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    return changed;
  };
  for (; iterations < 300; iterations++) {
    if (assign() === 0) break;
    previous.set(centroids);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let t = 0; t < d; t++) sums[labels[i] * d + t] += flat[i * d + t];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // an empty cluster takes the point farthest from its centre (scikit-learn does the same)
        let far = 0;
        for (let i = 1; i < n; i++) if (closest[i] > closest[far]) far = i;
        closest[far] = 0;
        for (let t = 0; t < d; t++) centroids[c * d + t] = flat[far * d + t];
        continue;
      }
      for (let t = 0; t < d; t++) centroids[c * d + t] = sums[c * d + t] / counts[c];
    }
    let shift = 0;
    for (let j = 0; j < k * d; j++) shift += (centroids[j] - previous[j]) ** 2;
    if (shift <= tol) {
      assign(); // labels consistent with the final centres
      iterations++;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist2(i, centroids, labels[i]);
  return { labels, centroids, inertia, iterations };
}

/**
 * k-means with `restarts` k-means++ starts from one seeded random stream, keeping the lowest inertia (scikit-learn's
 * n_init). Clusters are renumbered by decreasing size so that the same data gives the same numbering.
 */
export function bestKmeans(data: Matrix, k: number, restarts = 10, seed = 42): Clustering {
  const n = data.length;
  const d = data[0]?.length ?? 0;
  const flat = new Float64Array(n * d);
  data.forEach((row, i) => row.forEach((v, t) => (flat[i * d + t] = v)));
  const random = mulberry32(seed * 1_000 + k);
  let best: Clustering | null = null;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(flat, n, d, k, random);
    if (!best || run.inertia < best.inertia - 1e-9) {
      const centroids = Array.from({ length: k }, (_, c) => Array.from(run.centroids.subarray(c * d, c * d + d)));
      best = { k, labels: Array.from(run.labels), centroids, inertia: run.inertia, iterations: run.iterations };
    }
  }
  return renumberBySize(best!);
}

function renumberBySize(c: Clustering): Clustering {
  const sizes = new Array(c.k).fill(0);
  for (const l of c.labels) sizes[l]++;
  const order = [...sizes.keys()].sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newIndex = new Array(c.k);
  order.forEach((old, i) => (newIndex[old] = i));
  return { ...c, labels: c.labels.map((l) => newIndex[l]), centroids: order.map((old) => c.centroids[old]) };
}

/**
 * Mean silhouette coefficients (Rousseeuw 1987, as sklearn.metrics.silhouette_score) of several labelings of the same
 * points at once: a = mean distance to the other members of its cluster, b = lowest mean distance to another cluster,
 * s = (b − a) / max(a, b), 0 in a cluster of one. Each pairwise distance is computed once, for every labeling, and no
 * distance matrix is kept (memory stays linear in the number of points).
 */
export function silhouettes(points: Matrix, labelings: { labels: ArrayLike<number>; k: number }[]): number[] {
  const n = points.length;
  const d = points[0]?.length ?? 0;
  const flat = new Float64Array(n * d);
  points.forEach((p, i) => p.forEach((v, t) => (flat[i * d + t] = v)));
  const labels = labelings.map((l) => Int32Array.from(l.labels));
  const ks = labelings.map((l) => l.k);
  return silhouetteScores(silhouetteSums(flat, d, labels, ks, 0, n), labels, ks);
}

/**
 * The silhouettes' distance sums of the point pairs (i, j > i) for i in [from, to): row i holds, per labeling, the
 * sum of i's distances to each cluster. Disjoint ranges add up to the whole, so threads can share the pass.
 */
export function silhouetteSums(
  flat: Float64Array,
  d: number,
  labels: Int32Array[],
  ks: number[],
  from: number,
  to: number,
): Float64Array {
  const n = labels[0]?.length ?? 0;
  const offsets: number[] = [];
  let width = 0;
  for (const k of ks) {
    offsets.push(width);
    width += k;
  }
  const L = labels.length;
  const sums = new Float64Array(n * width);
  for (let i = from; i < to; i++) {
    const rowI = i * width;
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = flat[i * d + t] - flat[j * d + t];
        s += diff * diff;
      }
      const dist = Math.sqrt(s);
      const rowJ = j * width;
      for (let q = 0; q < L; q++) {
        const lab = labels[q];
        const off = offsets[q];
        sums[rowI + off + lab[j]] += dist;
        sums[rowJ + off + lab[i]] += dist;
      }
    }
  }
  return sums;
}

/** The row where the pairs (i, j > i) of n points split in two equal halves: row i has n − 1 − i pairs. */
export function halfOfPairs(n: number): number {
  return Math.max(0, Math.min(n, Math.round(n * (1 - Math.SQRT1_2))));
}

/** Mean silhouettes from the distance sums of silhouetteSums. */
export function silhouetteScores(sums: Float64Array, labels: Int32Array[], ks: number[]): number[] {
  const n = labels[0]?.length ?? 0;
  const width = ks.reduce((a, b) => a + b, 0);
  let off = 0;
  return ks.map((k, q) => {
    const lab = labels[q];
    const base = off;
    off += k;
    const sizes = new Float64Array(k);
    for (let i = 0; i < n; i++) sizes[lab[i]]++;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const own = lab[i];
      if (sizes[own] <= 1) continue;
      const a = sums[i * width + base + own] / (sizes[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[i * width + base + c] / sizes[c]);
      total += b === Infinity ? 0 : (b - a) / Math.max(a, b);
    }
    return total / n;
  });
}

export function silhouette(points: Matrix, labels: ArrayLike<number>, k: number): number {
  return silhouettes(points, [{ labels, k }])[0];
}

/** Positions of a seeded random sample of size m from 0…n−1 (Fisher–Yates prefix), sorted. */
function sampleIndexes(n: number, m: number, seed: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0 || 1;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let i = 0; i < Math.min(m, n); i++) {
    const j = i + Math.floor(next() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, Math.min(m, n)).sort((a, b) => a - b);
}

export type SweepRow = { k: number; inertia: number; silhouette: number };
export type Sweep = { rows: SweepRow[]; clusterings: Clustering[]; silhouetteSample: number | null; bestK: number };

/** Above this many customers the silhouette is the mean over a seeded random sample of SILHOUETTE_SAMPLE (the page says so). */
const SILHOUETTE_EXACT_LIMIT = 20_000;
const SILHOUETTE_SAMPLE = 10_000;

/** k-means for every k in [kMin, kMax] with the inertia and the mean silhouette; proposes the best-silhouette k. */
export function sweepK(data: Matrix, kMin = 2, kMax = 10, restarts = 10, seed = 42): Sweep {
  const sampled = silhouetteSampleOf(data.length, seed);
  const points = sampled ? sampled.map((i) => data[i]) : data;
  const clusterings: Clustering[] = [];
  for (let k = kMin; k <= Math.min(kMax, data.length - 1); k++) clusterings.push(bestKmeans(data, k, restarts, seed));
  const scores = silhouettes(
    points,
    clusterings.map((c) => ({ k: c.k, labels: sampled ? sampled.map((i) => c.labels[i]) : c.labels })),
  );
  return sweepOf(clusterings, scores, sampled, kMin);
}

/** The points the silhouettes are computed on: all of them, or the seeded sample above SILHOUETTE_EXACT_LIMIT. */
export function silhouetteSampleOf(n: number, seed: number): number[] | null {
  return n > SILHOUETTE_EXACT_LIMIT ? sampleIndexes(n, SILHOUETTE_SAMPLE, seed) : null;
}

export function sweepOf(clusterings: Clustering[], scores: number[], sampled: number[] | null, kMin: number): Sweep {
  const rows = clusterings.map((c, q) => ({ k: c.k, inertia: c.inertia, silhouette: scores[q] }));
  const bestK = rows.reduce((a, b) => (b.silhouette > a.silhouette ? b : a), rows[0])?.k ?? kMin;
  return { rows, clusterings, silhouetteSample: sampled ? sampled.length : null, bestK };
}

/** The nearest centroid of a point (squared Euclidean): how a stored clustering labels a customer. */
export function nearest(point: number[], centroids: Matrix): number {
  let best = 0;
  let bestD = Infinity;
  centroids.forEach((c, i) => {
    const d = squared(point, c);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}
