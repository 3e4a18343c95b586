import { pnorm, qnorm } from "./distributions";
import type { Engine } from "./engines";
import { sequentialHalfWidth } from "./sequential";

// How many customers each engine needs, and the smallest effect a given size can detect (issue #11: "keep running"
// never asks for more than the audience can give; "can't be decided" names the smallest detectable effect). Pure.
// Fixed-horizon sizes are analysePower's (power.ts), so the decision agrees with the design page; the other two:
// - sequential: the always-valid interval at N = n_A + n_B must clear 0 with the planned power:
//   Δ ≥ hw(V, N) + z_power·SE, the half-width of STATS-BAYES-SEQUENTIAL.md §4.2;
// - Bayesian (flat prior): chance to win ≥ 1 − α needs μ/s ≥ z_{1−α}, so Δ ≥ (z_{1−α} + z_power)·SE.
// SE² = σ_A²/n + σ_B²/(r·n) on the absolute scale, n the control size and r the treatment/control ratio.

export type SizingInput = {
  engine: Exclude<Engine, "fixed">;
  alpha: number;
  power: number;
  tuning: number;
  varianceControl: number;
  varianceTreatment: number;
  ratio: number;
};

/** The smallest absolute effect detectable with the planned power at control size n. */
export function detectableEffect(input: SizingInput, n: number): number {
  const variance = input.varianceControl / n + input.varianceTreatment / (input.ratio * n);
  const se = Math.sqrt(variance);
  const zPower = qnorm(input.power);
  if (input.engine === "bayesian") return (qnorm(1 - input.alpha) + zPower) * se;
  return sequentialHalfWidth(variance, n * (1 + input.ratio), input.alpha, input.tuning) + zPower * se;
}

/** The smallest control size n ≥ 2 whose detectable effect is at most `effect` (null past 10¹² customers). */
export function customersNeeded(input: SizingInput, effect: number): number | null {
  if (!(effect > 0) || !(input.varianceControl > 0)) return null;
  let lo = 2;
  if (detectableEffect(input, lo) <= effect) return lo;
  let hi = 4;
  while (detectableEffect(input, hi) > effect) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (detectableEffect(input, mid) <= effect) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Power of a guardrail's one-sided non-inferiority test at its margin when the true change is 0: the test passes when
 * the (1 − α) bound on the relative change stays inside the margin, so power = Φ(margin/SE − z_{1−α}), with the
 * relative SE = (sd/mean)·√(1/n_A + 1/n_B) of the ratio metric (delta method, per-customer sd).
 */
export function guardrailPower(
  margin: number,
  mean: number,
  sd: number,
  nControl: number,
  nTreatment: number,
  alpha: number,
): number | null {
  if (!(mean > 0) || !(sd > 0) || !(nControl > 1) || !(nTreatment > 1)) return null;
  const se = (sd / mean) * Math.sqrt(1 / nControl + 1 / nTreatment);
  return pnorm(margin / se - qnorm(1 - alpha));
}

export type GuardrailPower = {
  metric: "refund_rate" | "aov";
  margin: number;
  power: number | null;
  perArm: number | null;
  reason: string | null;
};

/**
 * The power of each guardrail's non-inferiority test at its margin, at the planned size per arm (or the audience's,
 * if smaller), from the back-tested ratio and its per-customer sd; null with the reason when a baseline is missing.
 */
export function guardrailPowers(
  guardrails: { metric: "refund_rate" | "aov"; margin: number }[],
  baselines: { aov: number | null; aovSd: number | null; refundRate: number | null; refundSd: number | null },
  nControl: number | null,
  nTreatment: number | null,
  alpha: number,
): GuardrailPower[] {
  return guardrails.map((g) => {
    const [mean, sd] =
      g.metric === "aov" ? [baselines.aov, baselines.aovSd] : [baselines.refundRate, baselines.refundSd];
    if (nControl === null || nTreatment === null)
      return { ...g, power: null, perArm: null, reason: "no sample size yet" };
    if (!(mean !== null && mean > 0) || !(sd !== null && sd > 0))
      return {
        ...g,
        power: null,
        perArm: nControl,
        reason:
          g.metric === "aov"
            ? "no orders in the back-test window"
            : "no refunds in the back-test window: the refund rate cannot be tested",
      };
    return {
      ...g,
      power: guardrailPower(g.margin, mean, sd, nControl, nTreatment, alpha),
      perArm: nControl,
      reason: null,
    };
  });
}
