import { AppError } from "~/lib/errors";
import { pnorm, pnt, qnorm, qt } from "./distributions";

// Power analysis (PRODUCT.md §4), pure functions. Two-sided power counts both tails (R's strict = TRUE); the treatment
// arm has ratio × the control's size; with several treatment arms each comparison uses α / arms (Bonferroni).

export type PowerInput = {
  metric: "proportion" | "mean";
  /** Control conversion rate (proportions). */
  baseline?: number;
  /** Control mean and standard deviation (means). */
  mean?: number;
  sd?: number;
  /** Minimum detectable effect: absolute (p₂ − p₁ or δ), or relative to the baseline when `relative`. */
  mde?: number;
  relative?: boolean;
  alpha: number;
  power: number;
  sides: 1 | 2;
  ratio: number;
  arms: number;
  method: "pooled" | "arcsine" | "t" | "z";
  /** Control arm size: given with `mde` → the achieved power; given alone → the reachable MDE. */
  n?: number;
};

export type PowerResult = {
  nControl: number;
  nTreatment: number;
  nTotal: number;
  power: number;
  mdeAbsolute: number;
  mdeRelative: number | null;
  method: PowerInput["method"];
  alphaPerComparison: number;
};

export const alphaPerComparison = (input: Pick<PowerInput, "alpha" | "arms">) => (input.arms > 1 ? input.alpha / input.arms : input.alpha);

/** Power of the two-proportion test for control size n1 (treatment n1 × ratio). */
export function proportionPower(p1: number, p2: number, n1: number, alpha: number, sides: 1 | 2, ratio: number, method: "pooled" | "arcsine"): number {
  const n2 = n1 * ratio;
  const z = qnorm(1 - alpha / sides);
  if (method === "arcsine") {
    // Cohen's h = 2·asin√p₂ − 2·asin√p₁ against N(0, 1/n₁ + 1/n₂) (statsmodels NormalIndPower)
    const h = Math.abs(2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1)));
    const shift = h * Math.sqrt((n1 * n2) / (n1 + n2));
    return pnorm(shift - z) + (sides === 2 ? pnorm(-shift - z) : 0);
  }
  // z-test: pooled p̄ = (n₁p₁ + n₂p₂)/(n₁ + n₂) under H0, unpooled variance under H1 (R power.prop.test)
  const d = Math.abs(p2 - p1);
  const pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
  const se0 = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
  const se1 = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return pnorm((d - z * se0) / se1) + (sides === 2 ? pnorm((-d - z * se0) / se1) : 0);
}

/** Power of the two-sample test of means (pooled-variance t with the noncentral t, or z) for control size n1. */
export function meanPower(delta: number, sd: number, n1: number, alpha: number, sides: 1 | 2, ratio: number, method: "t" | "z"): number {
  const n2 = n1 * ratio;
  const ncp = (Math.abs(delta) / sd) * Math.sqrt((n1 * n2) / (n1 + n2));
  if (method === "z") {
    const z = qnorm(1 - alpha / sides);
    return pnorm(ncp - z) + (sides === 2 ? pnorm(-ncp - z) : 0);
  }
  // R power.t.test / statsmodels TTestIndPower: df = n₁ + n₂ − 2
  const df = n1 + n2 - 2;
  const q = qt(1 - alpha / sides, df);
  return 1 - pnt(q, df, ncp) + (sides === 2 ? pnt(-q, df, ncp) : 0);
}

export class PowerInputError extends AppError {}

/** The input's effect, absolute: p₂ − p₁ for proportions, δ for means (a relative MDE scales the baseline). */
export function effectOf(input: PowerInput): number {
  const control = input.metric === "proportion" ? input.baseline! : input.mean ?? 0;
  return input.relative ? control * input.mde! : input.mde!;
}

/** Power at control size n for an absolute effect (by default the input's); effects, not levels, avoid cancellation. */
export function powerAt(input: PowerInput, n: number, effect = effectOf(input)): number {
  const alpha = alphaPerComparison(input);
  if (input.metric === "proportion") {
    return proportionPower(input.baseline!, input.baseline! + effect, n, alpha, input.sides, input.ratio, input.method === "arcsine" ? "arcsine" : "pooled");
  }
  return meanPower(effect, input.sd!, n, alpha, input.sides, input.ratio, input.method === "z" ? "z" : "t");
}

/** The smallest whole control size n ≥ 2 with power ≥ the target. */
export function sampleSize(input: PowerInput): number {
  const target = input.power;
  let lo = 2;
  if (powerAt(input, lo) >= target) return lo;
  let hi = 4;
  while (powerAt(input, hi) < target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) throw new PowerInputError("The effect is too small to detect with any realistic sample");
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (powerAt(input, mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The positive effect with power = target at control size n: p₂ − p₁ for proportions, δ for means (bisection on the effect). */
export function mdeAt(input: PowerInput, n: number): number {
  const target = input.power;
  const base = input.metric === "proportion" ? input.baseline! : input.mean ?? 0;
  const powerOf = (effect: number) => powerAt(input, n, effect);
  let lo = 0;
  let hi: number;
  if (input.metric === "proportion") {
    hi = 1 - base - 1e-12;
    if (powerOf(hi) < target) throw new PowerInputError(`No effect up to a rate of 100% reaches ${input.power * 100}% power with ${n} per arm`);
  } else {
    hi = input.sd!;
    while (powerOf(hi) < target) hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1e-300, hi); i++) {
    const mid = (lo + hi) / 2;
    if (powerOf(mid) >= target) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/** Sizes the test (mde, no n), gives the power (mde and n), or the reachable MDE (n, no mde). */
export function analysePower(input: PowerInput): PowerResult {
  const alpha = alphaPerComparison(input);
  const base = input.metric === "proportion" ? input.baseline! : input.mean ?? 0;
  let n: number;
  let mdeAbsolute: number;
  if (input.mde !== undefined) {
    mdeAbsolute = effectOf(input);
    n = input.n ?? sampleSize(input);
  } else {
    n = input.n!;
    mdeAbsolute = mdeAt(input, n);
  }
  const nTreatment = Math.ceil(n * input.ratio);
  return {
    nControl: n,
    nTreatment,
    nTotal: n + input.arms * nTreatment,
    power: powerAt(input, n, mdeAbsolute),
    mdeAbsolute,
    mdeRelative: base !== 0 ? mdeAbsolute / base : null,
    method: input.method,
    alphaPerComparison: alpha,
  };
}

/** Power against control size, for the power curve: `points` sizes spread up to `upTo`. */
export function powerCurve(input: PowerInput, upTo: number, points = 40): { n: number; power: number }[] {
  const out: { n: number; power: number }[] = [];
  for (let i = 1; i <= points; i++) {
    const n = Math.max(2, Math.round((upTo * i) / points));
    if (out.length && out[out.length - 1].n === n) continue;
    out.push({ n, power: powerAt(input, n) });
  }
  return out;
}
