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

export const alphaPerComparison = (input: Pick<PowerInput, "alpha" | "arms">) =>
  input.arms > 1 ? input.alpha / input.arms : input.alpha;

/**
 * The smallest α per comparison the maths handles exactly: below it 1 − α/2 is within a few ulps of 1, so the normal and
 * t quantiles lose their digits (at α/2 ≲ 5e-17 they are Infinity and every power is 0).
 */
export const MIN_ALPHA = 1e-10;
export const MIN_ALPHA_MESSAGE =
  "is below 1e-10: there the quantiles of the normal and t distributions are no longer exact (1 − α/2 rounds towards 1)";
/** The largest target power a search accepts: above it the target is within rounding of 1 and may never be reached. */
export const MAX_POWER = 1 - 1e-9;
/** Search caps: doublings of a bracket, and the control size past which no realistic test goes. */
const MAX_DOUBLINGS = 200;
const MAX_N = 1e12;

/** Power of the two-proportion test for control size n1 (treatment n1 × ratio). */
function proportionPower(
  p1: number,
  p2: number,
  n1: number,
  alpha: number,
  sides: 1 | 2,
  ratio: number,
  method: "pooled" | "arcsine",
): number {
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
function meanPower(
  delta: number,
  sd: number,
  n1: number,
  alpha: number,
  sides: 1 | 2,
  ratio: number,
  method: "t" | "z",
): number {
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
function effectOf(input: PowerInput): number {
  const control = input.metric === "proportion" ? input.baseline! : (input.mean ?? 0);
  return input.relative ? control * input.mde! : input.mde!;
}

/** Power at control size n for an absolute effect (by default the input's); effects, not levels, avoid cancellation. */
export function powerAt(input: PowerInput, n: number, effect = effectOf(input)): number {
  const alpha = alphaPerComparison(input);
  if (input.metric === "proportion") {
    return proportionPower(
      input.baseline!,
      input.baseline! + effect,
      n,
      alpha,
      input.sides,
      input.ratio,
      input.method === "arcsine" ? "arcsine" : "pooled",
    );
  }
  return meanPower(effect, input.sd!, n, alpha, input.sides, input.ratio, input.method === "z" ? "z" : "t");
}

/** The smallest whole control size n ≥ 2 with power ≥ the target. */
export function sampleSize(input: PowerInput): number {
  checkRange(input);
  const target = input.power;
  const powerOf = (n: number) => finitePower(powerAt(input, n));
  let lo = 2;
  if (powerOf(lo) >= target) return lo;
  let hi = 4;
  // bracket by doubling (at most log2(1e12) ≈ 40 steps), then bisect (as many again)
  for (let i = 0; powerOf(hi) < target; i++) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_N || i >= MAX_DOUBLINGS)
      throw new PowerInputError("The effect is too small to detect with any realistic sample (over 10¹² per arm)");
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (powerOf(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A power that is a number, or a 400: NaN means the inputs are outside what the distribution functions can evaluate. */
function finitePower(power: number): number {
  if (!Number.isFinite(power))
    throw new PowerInputError(
      "These inputs are outside the range the power functions can evaluate exactly (check sd, mean and mde for extreme values)",
    );
  return power;
}

/** Inputs for which a search could not end, or would end on a meaningless number, are refused with the reason. */
function checkRange(input: PowerInput): void {
  const alpha = alphaPerComparison(input);
  if (!(alpha >= MIN_ALPHA))
    throw new PowerInputError(
      `α per comparison (${alpha}${input.arms > 1 ? ` = ${input.alpha} / ${input.arms} arms` : ""}) ${MIN_ALPHA_MESSAGE}`,
    );
  if (!(input.power > 0 && input.power <= MAX_POWER))
    throw new PowerInputError(
      `power ${input.power} cannot be reached exactly: use a target power between 0 and ${MAX_POWER}`,
    );
  if (input.metric === "mean" && !(Number.isFinite(input.sd) && input.sd! > 0))
    throw new PowerInputError("sd must be a finite number above 0");
  if (input.mde !== undefined) {
    const effect = effectOf(input);
    if (!(Number.isFinite(effect) && effect !== 0))
      throw new PowerInputError(`the mde gives an effect of ${effect}: it must be a finite number other than 0`);
  }
}

/** The positive effect with power = target at control size n: p₂ − p₁ for proportions, δ for means (bisection on the effect). */
export function mdeAt(input: PowerInput, n: number): number {
  checkRange(input);
  if (!(n >= 2 && n <= MAX_N)) throw new PowerInputError(`n must be between 2 and 10¹², got ${n}`);
  const target = input.power;
  const base = input.metric === "proportion" ? input.baseline! : (input.mean ?? 0);
  const powerOf = (effect: number) => finitePower(powerAt(input, n, effect));
  let lo = 0;
  let hi: number;
  if (input.metric === "proportion") {
    hi = 1 - base - 1e-12;
    if (powerOf(hi) < target)
      throw new PowerInputError(`No effect up to a rate of 100% reaches ${input.power * 100}% power with ${n} per arm`);
  } else {
    hi = input.sd!;
    // the bracket must stay finite: a level the power function cannot reach would otherwise double it for ever
    for (let i = 0; powerOf(hi) < target; i++) {
      hi *= 2;
      if (!Number.isFinite(hi) || i >= MAX_DOUBLINGS)
        throw new PowerInputError(
          `No finite effect reaches ${input.power * 100}% power with ${n} per arm at these inputs`,
        );
    }
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
  checkRange(input);
  const alpha = alphaPerComparison(input);
  const base = input.metric === "proportion" ? input.baseline! : (input.mean ?? 0);
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
    power: finitePower(powerAt(input, n, mdeAbsolute)),
    mdeAbsolute,
    mdeRelative: base !== 0 && Number.isFinite(mdeAbsolute / base) ? mdeAbsolute / base : null, // none against a mean of 0 (or of 1e-300)
    method: input.method,
    alphaPerComparison: alpha,
  };
}

/** Power against control size, for the power curve: `points` sizes spread up to `upTo`. */
export function powerCurve(input: PowerInput, upTo: number, points = 40): { n: number; power: number }[] {
  checkRange(input);
  if (input.mde === undefined) throw new PowerInputError("a power curve needs an mde");
  const out: { n: number; power: number }[] = [];
  for (let i = 1; i <= points; i++) {
    const n = Math.max(2, Math.round((upTo * i) / points));
    if (out.length && out[out.length - 1].n === n) continue;
    out.push({ n, power: finitePower(powerAt(input, n)) });
  }
  return out;
}
