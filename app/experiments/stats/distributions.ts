import jstatModule from "jstat";

// jstat is CommonJS without named exports for Node's ESM loader: take jStat off the default export
const { jStat } = jstatModule;

// Distribution functions for the power module. Normal and central t from jStat; the noncentral t CDF (which jStat
// lacks) by Lenth's algorithm AS 243 (Applied Statistics 38, 1989), as R's pnt() implements it.

export const pnorm = (x: number) => jStat.normal.cdf(x, 0, 1);
export const qnorm = (p: number) => jStat.normal.inv(p, 0, 1);
export const pt = (x: number, df: number) => jStat.studentt.cdf(x, df);
/** Quantile of the central t distribution, refined by Newton steps on jStat's estimate (to ~1e-12). */
export function qt(p: number, df: number): number {
  let x = jStat.studentt.inv(p, df);
  for (let i = 0; i < 6; i++) {
    const f = pt(x, df) - p;
    const density = Math.exp(jStat.gammaln((df + 1) / 2) - jStat.gammaln(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((x * x) / df));
    if (density === 0) break;
    const step = f / density;
    x -= step;
    if (Math.abs(step) < 1e-14 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

const LN_SQRT_PI = 0.5723649429247001; // log(√π)
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)

/** P(T ≤ t) for T noncentral t with df degrees of freedom and noncentrality ncp (AS 243; R's pnt, lower tail). */
export function pnt(t: number, df: number, ncp: number): number {
  if (!(df > 0)) return NaN;
  if (ncp === 0) return pt(t, df);
  if (!Number.isFinite(t)) return t < 0 ? 0 : 1;
  let negdel = false;
  let tt = t;
  let del = ncp;
  if (t < 0) {
    negdel = true;
    tt = -t;
    del = -ncp;
  }
  if (df > 4e5 || del * del > 2 * Math.LN2 * 1021) {
    // Abramowitz & Stegun 26.7.10 for large df or ncp (as R)
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    const lower = pnorm(z);
    return negdel ? 1 - lower : lower;
  }
  const x = (t * t) / (t * t + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(1 - x, b);
    const albeta = LN_SQRT_PI + jStat.gammaln(b) - jStat.gammaln(0.5 + b);
    let xodd = jStat.ibeta(x, a, b);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    let tncTerm = b * x;
    let xeven = tncTerm < Number.EPSILON ? tncTerm : 1 - rxb;
    let geven = tncTerm * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= 1000; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break; // the series has converged as far as double precision allows
      if (s <= 0 && it > 1) break;
      const errbd = 2 * s * (xodd - godd);
      if (Math.abs(errbd) < 1e-12) break;
    }
    tncTerm = 0;
  }
  tnc += pnorm(-del);
  if (negdel) return Math.min(1, Math.max(0, 1 - tnc));
  return Math.min(1, Math.max(0, tnc));
}
