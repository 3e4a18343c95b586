import { lgamma as lgammaLocal, pnorm, pt, qnorm, qt } from "./distributions";

// Analysis of experiment results (PRODUCT.md §4), pure functions; the first arm is control.

export type Interval = [number, number];
export type Estimate = { estimate: number; ci: Interval; pValue: number };
export type Comparison = { arm: string; absolute: Estimate; relative: Estimate };

export type ProportionArm = { name: string; users: number; conversions: number };
export type MeanArm = { name: string; n: number; sum: number; sumSquares: number };

const twoSidedNormal = (z: number) => 2 * pnorm(-Math.abs(z));
const twoSidedT = (t: number, df: number) => 2 * pt(-Math.abs(t), df);

/**
 * Two proportions: q₂ − q₁ with the unpooled Wald interval, p-value from the pooled z-test (statsmodels
 * proportions_ztest, R prop.test(correct = FALSE)); relative lift q₂/q₁ − 1 with the delta-method interval
 * Var = v₂/q₁² + v₁q₂²/q₁⁴, vᵢ = qᵢ(1 − qᵢ)/nᵢ.
 */
export function compareProportions(control: ProportionArm, treatment: ProportionArm, alpha = 0.05): Comparison {
  const q1 = control.conversions / control.users;
  const q2 = treatment.conversions / treatment.users;
  const v1 = (q1 * (1 - q1)) / control.users;
  const v2 = (q2 * (1 - q2)) / treatment.users;
  const z = qnorm(1 - alpha / 2);
  const diff = q2 - q1;
  const pooled = (control.conversions + treatment.conversions) / (control.users + treatment.users);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / control.users + 1 / treatment.users));
  const pValue = sePooled > 0 ? twoSidedNormal(diff / sePooled) : 1;
  const seAbs = Math.sqrt(v1 + v2);
  const rel = q2 / q1 - 1;
  const seRel = Math.sqrt(v2 / q1 ** 2 + (v1 * q2 ** 2) / q1 ** 4);
  return {
    arm: treatment.name,
    absolute: { estimate: diff, ci: [diff - z * seAbs, diff + z * seAbs], pValue },
    relative: {
      estimate: rel,
      ci: [rel - z * seRel, rel + z * seRel],
      pValue: seRel > 0 ? twoSidedNormal(rel / seRel) : 1,
    },
  };
}

const meanOf = (a: MeanArm) => a.sum / a.n;
/** Sample variance from sufficient statistics. */
const varianceOf = (a: MeanArm) => Math.max(0, (a.sumSquares - (a.sum * a.sum) / a.n) / (a.n - 1));

/** Welch–Satterthwaite degrees of freedom. */
function welchDf(v1: number, n1: number, v2: number, n2: number): number {
  const a = v1 / n1;
  const b = v2 / n2;
  return (a + b) ** 2 / ((a * a) / (n1 - 1) + (b * b) / (n2 - 1));
}

/**
 * Two means from sufficient statistics: Welch's t-test (scipy ttest_ind_from_stats(equal_var=False)) with the
 * Welch–Satterthwaite interval; relative lift with the delta-method interval (vᵢ = sᵢ²/nᵢ) on the same degrees of
 * freedom, as GrowthBook's frequentist engine.
 */
export function compareMeans(control: MeanArm, treatment: MeanArm, alpha = 0.05): Comparison {
  const m1 = meanOf(control);
  const m2 = meanOf(treatment);
  const s1 = varianceOf(control);
  const s2 = varianceOf(treatment);
  const v1 = s1 / control.n;
  const v2 = s2 / treatment.n;
  const df = welchDf(s1, control.n, s2, treatment.n);
  const q = qt(1 - alpha / 2, df);
  const diff = m2 - m1;
  const seAbs = Math.sqrt(v1 + v2);
  const rel = m2 / m1 - 1;
  const seRel = Math.sqrt(v2 / m1 ** 2 + (v1 * m2 ** 2) / m1 ** 4);
  return {
    arm: treatment.name,
    absolute: {
      estimate: diff,
      ci: [diff - q * seAbs, diff + q * seAbs],
      pValue: seAbs > 0 ? twoSidedT(diff / seAbs, df) : 1,
    },
    relative: {
      estimate: rel,
      ci: [rel - q * seRel, rel + q * seRel],
      pValue: seRel > 0 ? twoSidedT(rel / seRel, df) : 1,
    },
  };
}

export type RatioArm = {
  name: string;
  n: number;
  num: number;
  den: number;
  numSquares: number;
  denSquares: number;
  cross: number;
};

/**
 * A ratio metric (AOV = Σ revenue / Σ orders) per arm by the delta method on per-user sums (Deng et al. 2018):
 * Var(R) = (1/n)(s²ₓ/ȳ² − 2x̄sₓᵧ/ȳ³ + x̄²s²ᵧ/ȳ⁴); compared with a normal interval.
 */
export function ratioEstimate(a: RatioArm): { value: number; variance: number } {
  const mx = a.num / a.n;
  const my = a.den / a.n;
  const vx = (a.numSquares - a.n * mx * mx) / (a.n - 1);
  const vy = (a.denSquares - a.n * my * my) / (a.n - 1);
  const cxy = (a.cross - a.n * mx * my) / (a.n - 1);
  return { value: mx / my, variance: (vx / my ** 2 - (2 * mx * cxy) / my ** 3 + (mx ** 2 * vy) / my ** 4) / a.n };
}

export function compareRatios(control: RatioArm, treatment: RatioArm, alpha = 0.05): Comparison {
  const c = ratioEstimate(control);
  const t = ratioEstimate(treatment);
  const z = qnorm(1 - alpha / 2);
  const diff = t.value - c.value;
  const se = Math.sqrt(c.variance + t.variance);
  const rel = t.value / c.value - 1;
  const seRel = Math.sqrt(t.variance / c.value ** 2 + (c.variance * t.value ** 2) / c.value ** 4);
  return {
    arm: treatment.name,
    absolute: { estimate: diff, ci: [diff - z * se, diff + z * se], pValue: se > 0 ? twoSidedNormal(diff / se) : 1 },
    relative: {
      estimate: rel,
      ci: [rel - z * seRel, rel + z * seRel],
      pValue: seRel > 0 ? twoSidedNormal(rel / seRel) : 1,
    },
  };
}

/** Holm's step-down adjustment (R p.adjust "holm"). */
export function holm(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg adjustment (R p.adjust "BH"). */
export function benjaminiHochberg(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const out = new Array<number>(m);
  let running = 1;
  order.forEach(([p, i], k) => {
    const rank = m - k;
    running = Math.min(running, (p * m) / rank);
    out[i] = Math.min(1, running);
  });
  return out;
}

/** Upper tail of the χ² distribution: Q(k/2, x/2) by the incomplete gamma (series / continued fraction, NR §6.2). */
export function chiSquareSf(x: number, k: number): number {
  if (x <= 0) return 1;
  const a = k / 2;
  const y = x / 2;
  const lg = lgammaLocal(a);
  if (y < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= y / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(-y + a * Math.log(y) - lg);
  }
  let b = y + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-y + a * Math.log(y) - lg) * h;
}

/** Sample ratio mismatch: χ² goodness of fit of users per arm against the planned allocation (scipy chisquare). */
export function sampleRatioMismatch(
  users: number[],
  allocation?: number[],
  threshold = 0.001,
): { chi2: number; pValue: number; flagged: boolean } {
  const total = users.reduce((a, b) => a + b, 0);
  const shares = allocation ?? users.map(() => 1 / users.length);
  const chi2 = users.reduce((s, u, i) => s + (u - total * shares[i]) ** 2 / (total * shares[i]), 0);
  const pValue = chiSquareSf(chi2, users.length - 1);
  return { chi2, pValue, flagged: pValue < threshold };
}

export type GuardrailVerdict = "pass" | "fail" | "inconclusive";

/**
 * Non-inferiority of a guardrail: with relative change r and its one-sided (1 − α) bound, a higher-is-worse metric
 * passes when the upper bound < margin, fails when the lower bound > margin; lower-is-worse mirrored (−margin).
 */
export function guardrail(
  relative: Estimate,
  margin: number,
  higherIsWorse: boolean,
  alpha = 0.05,
): { verdict: GuardrailVerdict; bound: number; pValue: number } {
  const z = qnorm(1 - alpha);
  const zTwo = qnorm(1 - alpha / 2);
  const se = (relative.ci[1] - relative.ci[0]) / (2 * zTwo);
  if (higherIsWorse) {
    const upper = relative.estimate + z * se;
    const lower = relative.estimate - z * se;
    const pValue = se > 0 ? pnorm((relative.estimate - margin) / se) : relative.estimate < margin ? 0 : 1;
    return { verdict: upper < margin ? "pass" : lower > margin ? "fail" : "inconclusive", bound: upper, pValue };
  }
  const lower = relative.estimate - z * se;
  const upper = relative.estimate + z * se;
  const pValue = se > 0 ? 1 - pnorm((relative.estimate + margin) / se) : relative.estimate > -margin ? 0 : 1;
  return { verdict: lower > -margin ? "pass" : upper < -margin ? "fail" : "inconclusive", bound: lower, pValue };
}

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013): θ = cov(Y, X)/var(X) pooled over arms (within-arm deviations, so the
 * treatment estimate equals OLS of Y on arm and X), Y' = Y − θ(X − X̄). Returns the adjusted per-user values and the
 * variance reduction 1 − Σ(Y' − ȳ')²/Σ(Y − ȳ)² within arms (≈ ρ²); covariateVaries is false when X is constant within
 * every arm (nobody spent in the pre-period): then θ = 0 and nothing is adjusted.
 */
export function cuped(
  y: number[],
  x: number[],
  arms: number[],
): { adjusted: number[]; theta: number; varianceReduction: number; covariateVaries: boolean } {
  const groups = Math.max(...arms) + 1;
  const sum = (values: number[]) => {
    const totals = new Array<number>(groups).fill(0);
    const counts = new Array<number>(groups).fill(0);
    values.forEach((v, i) => {
      totals[arms[i]] += v;
      counts[arms[i]]++;
    });
    return totals.map((t, g) => (counts[g] ? t / counts[g] : 0));
  };
  const my = sum(y);
  const mx = sum(x);
  const grandX = x.reduce((a, b) => a + b, 0) / x.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < y.length; i++) {
    const dy = y[i] - my[arms[i]];
    const dx = x[i] - mx[arms[i]];
    sxy += dy * dx;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const theta = sxx > 0 ? sxy / sxx : 0;
  const adjusted = y.map((v, i) => v - theta * (x[i] - grandX));
  const residual = syy - theta * sxy;
  return { adjusted, theta, varianceReduction: syy > 0 ? 1 - residual / syy : 0, covariateVaries: sxx > 0 };
}
