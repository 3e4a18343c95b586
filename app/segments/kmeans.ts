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

/**
 * Points of at most three features as three coordinate columns (the persona features are three: rfm.ts), a missing
 * feature as 0: adding 0² leaves every squared distance exactly what the d-feature sum gives.
 */
export type Points = { n: number; d: number; x: Float64Array; y: Float64Array; z: Float64Array };

export function pointsOf(data: Matrix): Points {
  const n = data.length;
  const d = data[0]?.length ?? 0;
  if (d > 3) throw new Error(`k-means takes at most three features, not ${d}`);
  const columns = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  data.forEach((row, i) => row.forEach((v, t) => (columns[t][i] = v)));
  return { n, d, x: columns[0], y: columns[1], z: columns[2] };
}

function meanVariance({ n, d, x, y, z }: Points): number {
  let total = 0;
  for (const column of [x, y, z].slice(0, d)) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += column[i];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (column[i] - mean) ** 2;
    total += v / n;
  }
  return total / d;
}

/**
 * The slack kept by the distance bounds of `LloydRun` (Hamerly 2010): far above their floating-point drift over 300
 * iterations (~1e-13 of the data's radius), so a point is only skipped when its nearest centre is certain.
 */
function boundSlack({ n, x, y, z }: Points): number {
  let radius = 0;
  for (let i = 0; i < n; i++) radius = Math.max(radius, Math.sqrt(x[i] * x[i] + y[i] * y[i] + z[i] * z[i]));
  return 1e-9 * (1 + radius);
}

/** The first point whose running sum of weights reaches `target` (k-means++'s draw in proportion to the weights). */
function pick(weights: Float64Array, n: number, target: number): number {
  for (let i = 0; i < n; i++) if ((target -= weights[i]) <= 0) return i;
  return n - 1;
}

/**
 * One Lloyd run from a greedy k-means++ start (Arthur & Vassilvitskii 2007, with 2 + ⌊ln k⌋ local trials per centre as
 * scikit-learn does). Stops when no label changes (or after 300 iterations), or when the centres moved less than
 * scikit-learn's tol. Each assignment is Lloyd's (nearest centre, the lowest index on a tie) computed with Hamerly's
 * bounds (Hamerly 2010): a point whose centre is certainly still the nearest is not measured again, which gives the
 * same labels. A class rather than closures: its loops stay compiled from one run to the next.
 */
class LloydRun {
  readonly n: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly cz: Float64Array;
  readonly labels: Int32Array;
  /** upper ≥ the distance to the own centre, lower ≤ the distance to every other centre */
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  /** half the distance from each centre to the nearest other one; how far each centre moved */
  readonly half: Float64Array;
  readonly moved: Float64Array;
  readonly px: Float64Array;
  readonly py: Float64Array;
  readonly pz: Float64Array;
  /** each cluster's sums of coordinates and its size, as the last assignment left them */
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly sz: Float64Array;
  readonly counts: Int32Array;
  /** the largest centre move, whose centre it was, and the second largest */
  most = 0;
  mostAt = 0;
  next = 0;
  closest: Float64Array;
  trialDist: Float64Array;
  bestDist: Float64Array;
  iterations = 0;

  constructor(
    points: Points,
    readonly k: number,
    readonly slack: number,
  ) {
    const n = (this.n = points.n);
    this.x = points.x;
    this.y = points.y;
    this.z = points.z;
    [this.cx, this.cy, this.cz, this.half, this.moved, this.px, this.py, this.pz, this.sx, this.sy, this.sz] =
      Array.from({ length: 11 }, () => new Float64Array(k));
    this.counts = new Int32Array(k);
    [this.upper, this.lower, this.closest, this.trialDist, this.bestDist] = Array.from(
      { length: 5 },
      () => new Float64Array(n),
    );
    this.labels = new Int32Array(n);
  }

  /** Greedy k-means++: each centre the best of `trials` points drawn in proportion to their squared distance. */
  seed(random: () => number) {
    const { n, x, y, z, cx, cy, cz, k } = this;
    const first = Math.floor(random() * n);
    cx[0] = x[first];
    cy[0] = y[first];
    cz[0] = z[first];
    let potential = this.trial(first, this.closest.fill(Infinity), this.closest);
    const trials = 2 + Math.floor(Math.log(k));
    for (let c = 1; c < k; c++) {
      let bestPotential = Infinity;
      let bestPoint = 0;
      for (let t = 0; t < trials; t++) {
        const p = potential > 0 ? pick(this.closest, n, random() * potential) : Math.floor(random() * n);
        const pot = this.trial(p, this.closest, this.trialDist);
        if (pot < bestPotential) {
          bestPotential = pot;
          bestPoint = p;
          [this.bestDist, this.trialDist] = [this.trialDist, this.bestDist];
        }
      }
      cx[c] = x[bestPoint];
      cy[c] = y[bestPoint];
      cz[c] = z[bestPoint];
      [this.closest, this.bestDist] = [this.bestDist, this.closest];
      potential = bestPotential;
    }
  }

  /** Each point's squared distance to its nearest centre if point p were added (into `out`); returns their sum. */
  trial(p: number, closest: Float64Array, out: Float64Array): number {
    const { n, x, y, z } = this;
    const px = x[p];
    const py = y[p];
    const pz = z[p];
    let pot = 0;
    for (let i = 0; i < n; i++) {
      const dx = x[i] - px;
      const dy = y[i] - py;
      const dz = z[i] - pz;
      const dd = Math.min(closest[i], dx * dx + dy * dy + dz * dz);
      out[i] = dd;
      pot += dd;
    }
    return pot;
  }

  /** Nearest centre of point i over all k (strict <: the lowest index on a tie), setting both bounds. */
  measure(i: number): number {
    const { cx, cy, cz, k } = this;
    const xi = this.x[i];
    const yi = this.y[i];
    const zi = this.z[i];
    let best = 0;
    let bestD = Infinity;
    let second = Infinity;
    for (let c = 0; c < k; c++) {
      const dx = xi - cx[c];
      const dy = yi - cy[c];
      const dz = zi - cz[c];
      const dd = dx * dx + dy * dy + dz * dz;
      if (dd < bestD) {
        second = bestD;
        bestD = dd;
        best = c;
      } else if (dd < second) second = dd;
    }
    this.upper[i] = Math.sqrt(bestD);
    this.lower[i] = Math.sqrt(second);
    return best;
  }

  /**
   * Lloyd's assignment, in one pass that first moves each point's bounds by as much as the centres moved, and adds the
   * point to its cluster's sums (in point order, as a separate pass would). Returns how many labels changed.
   */
  assign(): number {
    const { n, x, y, z, cx, cy, cz, sx, sy, sz, counts, k, labels, upper, lower, half, moved, slack } = this;
    const { most, mostAt, next } = this;
    for (let c = 0; c < k; c++) {
      let nearestOther = Infinity;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const dx = cx[c] - cx[o];
        const dy = cy[c] - cy[o];
        const dz = cz[c] - cz[o];
        nearestOther = Math.min(nearestOther, dx * dx + dy * dy + dz * dz);
      }
      half[c] = Math.sqrt(nearestOther) / 2;
    }
    sx.fill(0);
    sy.fill(0);
    sz.fill(0);
    counts.fill(0);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let own = labels[i];
      const up = (upper[i] += moved[own]);
      const low = (lower[i] -= own === mostAt ? next : most);
      const bound = Math.max(half[own], low) - slack;
      if (up >= bound) {
        // measured against every centre at once: on three features, first tightening the upper bound did not pay
        const best = this.measure(i);
        if (best !== own) {
          labels[i] = own = best;
          changed++;
        }
      }
      counts[own]++;
      sx[own] += x[i];
      sy[own] += y[i];
      sz[own] += z[i];
    }
    return changed;
  }

  /** The first assignment: every point measured against every centre. */
  assignAll() {
    const { n, x, y, z, sx, sy, sz, counts, labels } = this;
    sx.fill(0);
    sy.fill(0);
    sz.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const own = (labels[i] = this.measure(i));
      counts[own]++;
      sx[own] += x[i];
      sy[own] += y[i];
      sz[own] += z[i];
    }
  }

  /**
   * The centres to the means of their points as summed by the assignment (an empty cluster takes the point farthest
   * from its centre, as scikit-learn does); returns the squared distance they moved, and keeps how far each moved for
   * the next assignment's bounds.
   */
  update(): number {
    const { n, x, y, z, cx, cy, cz, px, py, pz, sx, sy, sz, k, labels, counts, closest, moved } = this;
    px.set(cx);
    py.set(cy);
    pz.set(cz);
    if (counts.includes(0)) {
      // each point's squared distance to its centre as assigned, the same sums the assignment compared
      for (let i = 0; i < n; i++) {
        const l = labels[i];
        const dx = x[i] - px[l];
        const dy = y[i] - py[l];
        const dz = z[i] - pz[l];
        closest[i] = dx * dx + dy * dy + dz * dz;
      }
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        let far = 0;
        for (let i = 1; i < n; i++) if (closest[i] > closest[far]) far = i;
        closest[far] = 0;
        cx[c] = x[far];
        cy[c] = y[far];
        cz[c] = z[far];
        continue;
      }
      cx[c] = sx[c] / counts[c];
      cy[c] = sy[c] / counts[c];
      cz[c] = sz[c] / counts[c];
    }
    let shift = 0;
    this.most = this.next = this.mostAt = 0;
    for (let c = 0; c < k; c++) {
      const dx = cx[c] - px[c];
      const dy = cy[c] - py[c];
      const dz = cz[c] - pz[c];
      shift += dx ** 2;
      shift += dy ** 2;
      shift += dz ** 2;
      const m = (moved[c] = Math.sqrt(dx * dx + dy * dy + dz * dz));
      if (m > this.most) {
        this.next = this.most;
        this.most = m;
        this.mostAt = c;
      } else if (m > this.next) this.next = m;
    }
    return shift;
  }

  run(random: () => number, tol: number) {
    this.seed(random);
    this.assignAll();
    for (this.iterations = 0; this.iterations < 300; this.iterations++) {
      if (this.iterations > 0 && this.assign() === 0) break;
      if (this.update() <= tol) {
        this.assign(); // labels consistent with the final centres
        this.iterations++;
        break;
      }
    }
    return this;
  }

  inertia(): number {
    const { n, x, y, z, cx, cy, cz, labels } = this;
    let inertia = 0;
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      const dx = x[i] - cx[l];
      const dy = y[i] - cy[l];
      const dz = z[i] - cz[l];
      inertia += dx * dx + dy * dy + dz * dz;
    }
    return inertia;
  }
}

/**
 * k-means with `restarts` k-means++ starts from one seeded random stream, keeping the lowest inertia (scikit-learn's
 * n_init). Clusters are renumbered by decreasing size so that the same data gives the same numbering.
 */
export function bestKmeans(data: Matrix | Points, k: number, restarts = 10, seed = 42): Clustering {
  const points = Array.isArray(data) ? pointsOf(data) : data;
  const random = mulberry32(seed * 1_000 + k);
  // scikit-learn's stopping rule: centres moved less than tol = 1e-4 × mean feature variance (1 for standardised data)
  const tol = 1e-4 * meanVariance(points);
  const slack = boundSlack(points);
  let best: Clustering | null = null;
  const run = new LloydRun(points, k, slack); // its arrays serve every restart
  for (let r = 0; r < restarts; r++) {
    run.run(random, tol);
    const inertia = run.inertia();
    if (!best || inertia < best.inertia - 1e-9) {
      const centroids = Array.from({ length: k }, (_, c) => [run.cx[c], run.cy[c], run.cz[c]].slice(0, points.d));
      best = { k, labels: Array.from(run.labels), centroids, inertia, iterations: run.iterations };
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

export type Labeling = { labels: ArrayLike<number>; k: number };

/**
 * Mean silhouette coefficients (Rousseeuw 1987, as sklearn.metrics.silhouette_score) of several labelings of the same
 * points at once: a = mean distance to the other members of its cluster, b = lowest mean distance to another cluster,
 * s = (b − a) / max(a, b), 0 in a cluster of one. No distance matrix is kept (memory stays linear in the points).
 */
export function silhouettes(points: Matrix | Points, labelings: Labeling[]): number[] {
  const p = Array.isArray(points) ? pointsOf(points) : points;
  return [...silhouetteTotals(p, labelings, 0, p.n)].map((total) => total / p.n);
}

/**
 * The sum of the silhouettes s(i) of the points i in [from, to), per labeling: ranges that split 0…n add up to n ×
 * the means, so threads can share the points. The points are grouped by the clusters they share in every labeling
 * (a few hundred groups for k = 2…10): each point's distances are summed group by group in one run over the others,
 * then each group's sum is added to its cluster in every labeling.
 */
export function silhouetteTotals(points: Points, labelings: Labeling[], from: number, to: number): Float64Array {
  const { n, x, y, z } = points;
  const L = labelings.length;
  const offsets = new Int32Array(L);
  let width = 0;
  labelings.forEach((l, q) => {
    offsets[q] = width;
    width += l.k;
  });
  const sizes = new Float64Array(width);
  for (let q = 0; q < L; q++) for (let i = 0; i < n; i++) sizes[offsets[q] + labelings[q].labels[i]]++;
  // the groups: points ordered by their labels in every labeling
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    for (const { labels } of labelings) if (labels[a] !== labels[b]) return labels[a] - labels[b];
    return a - b;
  });
  const gx = new Float64Array(n);
  const gy = new Float64Array(n);
  const gz = new Float64Array(n);
  const starts: number[] = [];
  const columns: number[] = []; // per group and labeling: the column of its cluster
  order.forEach((i, at) => {
    gx[at] = x[i];
    gy[at] = y[i];
    gz[at] = z[i];
    if (at === 0 || labelings.some(({ labels }) => labels[i] !== labels[order[at - 1]])) {
      starts.push(at);
      for (let q = 0; q < L; q++) columns.push(offsets[q] + labelings[q].labels[i]);
    }
  });
  starts.push(n);
  const groups = starts.length - 1;
  const groupSums = new Float64Array(groups);
  const sums = new Float64Array(width);
  const totals = new Float64Array(L);
  for (let i = from; i < to; i++) {
    const xi = x[i];
    const yi = y[i];
    const zi = z[i];
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let j = starts[g], end = starts[g + 1]; j < end; j++) {
        const dx = xi - gx[j];
        const dy = yi - gy[j];
        const dz = zi - gz[j];
        s += Math.sqrt(dx * dx + dy * dy + dz * dz);
      }
      groupSums[g] = s;
    }
    sums.fill(0);
    for (let g = 0, col = 0; g < groups; g++) for (let q = 0; q < L; q++) sums[columns[col++]] += groupSums[g];
    for (let q = 0; q < L; q++) {
      const k = labelings[q].k;
      const base = offsets[q];
      const own = labelings[q].labels[i];
      if (sizes[base + own] <= 1) continue;
      const a = sums[base + own] / (sizes[base + own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++)
        if (c !== own && sizes[base + c] > 0) b = Math.min(b, sums[base + c] / sizes[base + c]);
      totals[q] += b === Infinity ? 0 : (b - a) / Math.max(a, b);
    }
  }
  return totals;
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
  const points = pointsOf(data);
  const clusterings: Clustering[] = [];
  for (let k = kMin; k <= Math.min(kMax, data.length - 1); k++) clusterings.push(bestKmeans(points, k, restarts, seed));
  return scoredSweep(points, clusterings, kMin, seed);
}

/** The sweep of these clusterings (any order) of the points: each k's mean silhouette, on the seeded sample if any. */
export function scoredSweep(points: Points, clusterings: Clustering[], kMin: number, seed: number): Sweep {
  const sorted = [...clusterings].sort((a, b) => a.k - b.k);
  const { scored, labelings, sampled } = silhouetteInputs(points, sorted, seed);
  const scores = [...silhouetteTotals(scored, labelings, 0, scored.n)].map((total) => total / scored.n);
  return sweepOf(sorted, scores, sampled, kMin);
}

/** The points the silhouettes are computed on and each clustering's labels of them (all, or the seeded sample). */
export function silhouetteInputs(points: Points, clusterings: Clustering[], seed: number) {
  const sampled = silhouetteSampleOf(points.n, seed);
  const pick = (column: Float64Array) => (sampled ? Float64Array.from(sampled, (i) => column[i]) : column);
  const scored: Points = sampled
    ? { n: sampled.length, d: points.d, x: pick(points.x), y: pick(points.y), z: pick(points.z) }
    : points;
  const labelings: Labeling[] = clusterings.map((c) => ({
    k: c.k,
    labels: sampled ? sampled.map((i) => c.labels[i]) : c.labels,
  }));
  return { scored, labelings, sampled };
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
