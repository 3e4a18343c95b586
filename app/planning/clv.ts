import { lgamma } from "~/experiments/stats/distributions";
import { nelderMead, type NelderMeadOptions, type NelderMeadStatus } from "./optimise";

// Customer lifetime value models (PRODUCT.md §5), pure functions, time in weeks:
// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") for repeat purchases and Gamma-Gamma
// (Fader, Hardie & Lee 2005, "RFM and CLV") for the value per purchase.

export type Summary = { x: number; tx: number; T: number };
export type BgNbd = { r: number; alpha: number; a: number; b: number };
export type GammaGamma = { p: number; q: number; v: number };

/** Σ_{j<x} log(base + j) = lgamma(base + x) − lgamma(base), exact and cheap for the small whole x of purchase counts. */
function logRising(base: number, x: number): number {
  if (x > 50) return lgamma(base + x) - lgamma(base);
  let s = 0;
  for (let j = 0; j < x; j++) s += Math.log(base + j);
  return s;
}

/** log-likelihood of one customer under BG/NBD (FHL 2005 eq. 6, written as lifetimes does). */
export function bgnbdLogLikelihood({ r, alpha, a, b }: BgNbd, { x, tx, T }: Summary): number {
  const a1 = logRising(r, x) + r * Math.log(alpha);
  const a2 = logRising(b, x) - logRising(a + b, x); // log B(a, b + x) / B(a, b)
  const a3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return a1 + a2 + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  const m = Math.max(a3, a4);
  return a1 + a2 + m + Math.log(Math.exp(a3 - m) + Math.exp(a4 - m));
}

/** The distinct values of a column and each row's index among them: what an evaluation computes once per value. */
function distinct(values: ArrayLike<number>): { values: Float64Array; of: Int32Array } {
  const seen = new Map<number, number>();
  const of = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let k = seen.get(values[i]);
    if (k === undefined) seen.set(values[i], (k = seen.size));
    of[i] = k;
  }
  return { values: Float64Array.from(seen.keys()), of };
}

/** logRising(base, x) for every distinct x, by the same additions (x ≤ 50) or log-gammas (x > 50) as logRising. */
function logRisingTable(base: number, xs: Float64Array, out: Float64Array, partial: Float64Array): void {
  let s = 0;
  partial[0] = 0;
  for (let j = 1; j < partial.length; j++) partial[j] = s += Math.log(base + (j - 1));
  for (let k = 0; k < xs.length; k++) out[k] = xs[k] > 50 ? lgamma(base + xs[k]) - lgamma(base) : partial[xs[k]];
}

/**
 * The BG/NBD total log-likelihood over these customers, as a function of the parameters: the sum of
 * bgnbdLogLikelihood over them, the same floating-point operations in the same order (equal to the last bit), with
 * what depends only on x, t_x or T computed once per distinct value instead of once per customer.
 */
export function bgnbdTotal(customers: Summary[]): (params: BgNbd) => number {
  const n = customers.length;
  const x = distinct(customers.map((c) => c.x));
  const tx = distinct(customers.map((c) => c.tx));
  const T = distinct(customers.map((c) => c.T));
  const rows = Float64Array.from(customers, (c) => c.x);
  const small = Math.min(50, Math.max(0, ...x.values)) + 1;
  const [partial, lrR, lrB, lrAB, a12, logB, logTx, logT] = [
    small,
    ...Array(5).fill(x.values.length),
    tx.values.length,
    T.values.length,
  ].map((len) => new Float64Array(len));
  return ({ r, alpha, a, b }) => {
    logRisingTable(r, x.values, lrR, partial);
    logRisingTable(b, x.values, lrB, partial);
    logRisingTable(a + b, x.values, lrAB, partial);
    const rLogAlpha = r * Math.log(alpha);
    const logA = Math.log(a);
    for (let k = 0; k < x.values.length; k++) {
      a12[k] = lrR[k] + rLogAlpha + (lrB[k] - lrAB[k]);
      logB[k] = Math.log(b + x.values[k] - 1);
    }
    for (let k = 0; k < tx.values.length; k++) logTx[k] = Math.log(alpha + tx.values[k]);
    for (let k = 0; k < T.values.length; k++) logT[k] = Math.log(alpha + T.values[k]);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const xi = rows[i];
      const k = x.of[i];
      const a3 = -(r + xi) * logT[T.of[i]];
      if (xi === 0) {
        s += a12[k] + a3;
        continue;
      }
      const a4 = logA - logB[k] - (r + xi) * logTx[tx.of[i]];
      const m = Math.max(a3, a4);
      // exp(0) is exactly 1: the same sum as bgnbdLogLikelihood's
      s += a12[k] + m + Math.log(a3 === m ? 1 + Math.exp(a4 - m) : Math.exp(a3 - m) + 1);
    }
    return s;
  };
}

/** Caps of a fit (evaluations of the whole likelihood, and time) and the L2 penalty on the log-parameters. */
export type FitOptions = Pick<NelderMeadOptions, "maxEvaluations" | "maxMillis"> & { penalizer?: number };
export type FitInfo = {
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  status: NelderMeadStatus;
  penalizer: number;
};

/**
 * The objective of a fit: minus the mean log-likelihood per customer plus penalizer × Σ (log θ)². lifetimes'
 * `penalizer_coef` has the same form (mean log-likelihood, lifetimes/fitters/beta_geo_fitter.py) with the penalty on
 * θ itself; on log θ it pulls a parameter running to 0 or to ∞ back towards 1 alike, which is what a → 0 needs.
 */
function penalised(n: number, penalizer: number, totalLogLikelihood: (v: number[]) => number) {
  return (v: number[]) => {
    const ll = totalLogLikelihood(v);
    if (!Number.isFinite(ll)) return Infinity;
    return -ll / Math.max(1, n) + penalizer * v.reduce((s, w) => s + w * w, 0);
  };
}

/**
 * Maximum likelihood by Nelder–Mead on log-parameters (positivity for free), L2-penalised when asked: the one fit both
 * models share, from `start` (log-parameters) over n customers.
 */
function fitOnLogScale<P>(
  start: number[],
  toParams: (v: number[]) => P,
  totalLogLikelihood: (params: P) => number,
  n: number,
  options: FitOptions,
): P & FitInfo {
  const penalizer = options.penalizer ?? 0;
  const objective = penalised(n, penalizer, (v) => totalLogLikelihood(toParams(v)));
  // a tolerance on the mean per customer: 1e-10 relative on the total, as before the objective was divided by n
  const result = nelderMead(objective, start, {
    tolerance: 1e-10,
    maxIterations: 5000,
    step: 0.5,
    maxEvaluations: options.maxEvaluations,
    maxMillis: options.maxMillis,
    bound: 25,
  });
  const params = toParams(result.x);
  return {
    ...params,
    logLikelihood: totalLogLikelihood(params),
    iterations: result.iterations,
    evaluations: result.evaluations,
    status: result.status,
    penalizer,
  };
}

/** Maximum-likelihood BG/NBD (FHL 2005), L2-penalised when asked. */
export function fitBgNbd(customers: Summary[], options: FitOptions = {}): BgNbd & FitInfo {
  const toParams = (v: number[]): BgNbd => ({
    r: Math.exp(v[0]),
    alpha: Math.exp(v[1]),
    a: Math.exp(v[2]),
    b: Math.exp(v[3]),
  });
  const meanT = customers.reduce((s, c) => s + c.T, 0) / Math.max(1, customers.length);
  return fitOnLogScale(
    [0, Math.log(Math.max(1, meanT / 10)), 0, 0],
    toParams,
    bgnbdTotal(customers),
    customers.length,
    options,
  );
}

/** Gauss hypergeometric ₂F₁(a, b; c; z) by its series, for |z| < 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (Math.abs(term) < 1e-15 * Math.abs(sum)) break;
  }
  return sum;
}

/** P(alive | x, t_x, T) (FHL 2005 eq. 11). */
export function probabilityAlive({ r, alpha, a, b }: BgNbd, { x, tx, T }: Summary): number {
  if (x === 0) return 1;
  return 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x));
}

/** E[X(t) | x, t_x, T]: expected purchases in the next t weeks (FHL 2005 eq. 10). */
export function conditionalExpectedPurchases({ r, alpha, a, b }: BgNbd, { x, tx, T }: Summary, t: number): number {
  const z = t / (alpha + T + t);
  const first =
    ((a + b + x - 1) / (a - 1)) *
    (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z));
  const alive = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
  return first / alive;
}

/** log-likelihood of one repeat buyer under Gamma-Gamma, given x repeat purchases of average value m. */
export function gammaGammaLogLikelihood({ p, q, v }: GammaGamma, x: number, m: number): number {
  return (
    lgamma(p * x + q) -
    lgamma(p * x) -
    lgamma(q) +
    q * Math.log(v) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(x * m + v)
  );
}

/**
 * The Gamma-Gamma total log-likelihood over these buyers, as a function of the parameters: the sum of
 * gammaGammaLogLikelihood, the same operations in the same order (equal to the last bit), with the log-gammas of each
 * distinct x computed once per evaluation and log m once per fit.
 */
export function gammaGammaTotal(buyers: { x: number; m: number }[]): (params: GammaGamma) => number {
  const n = buyers.length;
  const x = distinct(buyers.map((c) => c.x));
  const rows = Float64Array.from(buyers, (c) => c.x);
  const logM = Float64Array.from(buyers, (c) => Math.log(c.m));
  const xm = Float64Array.from(buyers, (c) => c.x * c.m);
  const logX = x.values.map(Math.log);
  const [head, px] = [new Float64Array(x.values.length), new Float64Array(x.values.length)];
  return ({ p, q, v }) => {
    const lgq = lgamma(q);
    const qLogV = q * Math.log(v);
    for (let k = 0; k < x.values.length; k++) {
      px[k] = p * x.values[k];
      head[k] = lgamma(px[k] + q) - lgamma(px[k]) - lgq + qLogV;
    }
    let s = 0;
    for (let i = 0; i < n; i++) {
      const k = x.of[i];
      s += head[k] + (px[k] - 1) * logM[i] + px[k] * logX[k] - (px[k] + q) * Math.log(xm[i] + v);
    }
    return s;
  };
}

export function fitGammaGamma(buyers: { x: number; m: number }[], options: FitOptions = {}): GammaGamma & FitInfo {
  const toParams = (w: number[]): GammaGamma => ({ p: Math.exp(w[0]), q: Math.exp(w[1]), v: Math.exp(w[2]) });
  return fitOnLogScale([0, 0, 0], toParams, gammaGammaTotal(buyers), buyers.length, options);
}

/** Expected value of a purchase given x repeat purchases averaging m (FHL "RFM and CLV" eq. 5). */
export function expectedAverageValue({ p, q, v }: GammaGamma, x: number, m: number): number {
  return (p * (v + x * m)) / (p * x + q - 1);
}
