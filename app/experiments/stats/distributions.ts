import jstatModule from "jstat";

// jstat is CommonJS without named exports for Node's ESM loader: take jStat off the default export
const { jStat } = jstatModule;

// Distribution functions for the power module. The normal from jStat; log-gamma, the regularized incomplete beta and
// the central t ours (jStat's continued fraction stops after 100 terms, which costs 1e-8 at df in the thousands); the
// noncentral t CDF (which jStat lacks) by Lenth's algorithm AS 243 (Applied Statistics 38, 1989), as R's pnt().

/**
 * Φ(x). jStat's ½(1 + erf(x/√2)) is exact in absolute terms but loses relative accuracy in the lower tail (1e-6 at
 * x = −6.65); below x = −5 use φ(x)·R(−x) with Mills' ratio R by its continued fraction (Abramowitz & Stegun 26.2.14),
 * evaluated by the modified Lentz method.
 */
export function pnorm(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? NaN : x < 0 ? 0 : 1; // the continued fraction below is NaN at ±∞
  if (x > 5) return 1 - pnorm(-x);
  if (x >= -5) return jStat.normal.cdf(x, 0, 1);
  const t = -x;
  // R(t) = 1/(t + 1/(t + 2/(t + 3/(t + …))))
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    d = t + k * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = t + k / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI) / f;
}
export const qnorm = (p: number) => jStat.normal.inv(p, 0, 1);

// Lanczos approximation, g = 671/128, 14 terms (Numerical Recipes 3rd ed. §6.1 gammln): full double precision.
const LANCZOS = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4,
  0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
  0.217439618115212643e-3, -0.16431810653676389e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
  0.368991826595316234e-5,
];

/** log Γ(x) for x > 0. */
export function lgamma(x: number): number {
  let y = x;
  let tmp = x + 5.2421875;
  tmp = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.999999999999997092;
  for (const c of LANCZOS) ser += c / ++y;
  return tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** The Stirling-series remainder of log Γ(x) for x ≥ 10: lgamma(x) − [(x − ½)log x − x + ½log 2π]. */
function lgammaCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (
    (1 / x) *
    (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 * (1 / 1188 - x2 * (691 / 360360 - x2 / 156))))))
  );
}

const LN_SQRT_2PI = 0.9189385332046728;

/** log B(a, b) without the cancellation of large log-gammas (the three cases of R's lbeta). */
export function lbeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = lgammaCorrection(q) - lgammaCorrection(p + q);
    return lgamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lgamma(p) + lgamma(q) - lgamma(p + q);
}

/** Continued fraction of the incomplete beta by the modified Lentz method (Numerical Recipes §6.4 betacf). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta I_x(a, b). */
export function ibeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - lbeta(a, b));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/** P(T ≤ x) for the central t distribution: ½·I_{df/(df+x²)}(df/2, ½) in the tail. */
export function pt(x: number, df: number): number {
  if (!Number.isFinite(x)) return x < 0 ? 0 : 1;
  const tail = 0.5 * ibeta(df / (df + x * x), df / 2, 0.5);
  return x > 0 ? 1 - tail : tail;
}
/** Quantile of the central t distribution: jStat's estimate refined by Newton steps on our pt. */
export function qt(p: number, df: number): number {
  let x = jStat.studentt.inv(p, df);
  for (let i = 0; i < 6; i++) {
    const f = pt(x, df) - p;
    const density = Math.exp(
      lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((x * x) / df),
    );
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
    const rxb = Math.pow(df / (t * t + df), b); // = (1 − x)^b, without the cancellation (as R)
    const albeta = lbeta(0.5, b); // log √π + lgamma(b) − lgamma(b + ½)
    let xodd = ibeta(x, a, b);
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
