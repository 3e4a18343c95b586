import { lgamma } from "~/experiments/stats/distributions";
import { nelderMead } from "./optimise";

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

export function bgnbdTotalLogLikelihood(params: BgNbd, customers: Summary[]): number {
  let s = 0;
  for (const c of customers) s += bgnbdLogLikelihood(params, c);
  return s;
}

/** Maximum-likelihood BG/NBD by Nelder–Mead on log-parameters (positivity for free). */
export function fitBgNbd(customers: Summary[]): BgNbd & { logLikelihood: number; iterations: number } {
  const toParams = (v: number[]): BgNbd => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });
  const objective = (v: number[]) => {
    const ll = bgnbdTotalLogLikelihood(toParams(v), customers);
    return Number.isFinite(ll) ? -ll : Infinity;
  };
  const meanT = customers.reduce((s, c) => s + c.T, 0) / Math.max(1, customers.length);
  const result = nelderMead(objective, [0, Math.log(Math.max(1, meanT / 10)), 0, 0], { tolerance: 1e-10, maxIterations: 5000, step: 0.5 });
  return { ...toParams(result.x), logLikelihood: -result.value, iterations: result.iterations };
}

/** Gauss hypergeometric ₂F₁(a, b; c; z) by its series, for |z| < 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000; k++) {
    term *= ((a + k) * (b + k)) / ((c + k) * (k + 1)) * z;
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
  const first = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z));
  const alive = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
  return first / alive;
}

/** E[X(t)]: expected purchases of a new customer in t weeks (FHL 2005 eq. 9). */
export function expectedPurchases({ r, alpha, a, b }: BgNbd, t: number): number {
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}

/** log-likelihood of one repeat buyer under Gamma-Gamma, given x repeat purchases of average value m. */
export function gammaGammaLogLikelihood({ p, q, v }: GammaGamma, x: number, m: number): number {
  return lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * Math.log(v) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(x * m + v);
}

export function fitGammaGamma(buyers: { x: number; m: number }[]): GammaGamma & { logLikelihood: number } {
  const toParams = (w: number[]): GammaGamma => ({ p: Math.exp(w[0]), q: Math.exp(w[1]), v: Math.exp(w[2]) });
  const objective = (w: number[]) => {
    const params = toParams(w);
    let s = 0;
    for (const c of buyers) s += gammaGammaLogLikelihood(params, c.x, c.m);
    return Number.isFinite(s) ? -s : Infinity;
  };
  const result = nelderMead(objective, [0, 0, 0], { tolerance: 1e-10, maxIterations: 5000, step: 0.5 });
  return { ...toParams(result.x), logLikelihood: -result.value };
}

/** Expected value of a purchase given x repeat purchases averaging m (FHL "RFM and CLV" eq. 5). */
export function expectedAverageValue({ p, q, v }: GammaGamma, x: number, m: number): number {
  return (p * (v + x * m)) / (p * x + q - 1);
}
