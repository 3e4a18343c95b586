import { pnorm, qnorm } from "./distributions";
import type { Moments, Scale } from "./effect";

// The Bayesian engine: a Gaussian model on the effect (gbstats 0.8.0 `EffectBayesianABTest`; definitions in
// ../shared/STATS-BAYES-SEQUENTIAL.md §3). Pure. A figure that cannot be computed is null with a reason.

/** A normal prior on the lift (relative scale); `proper: false` is the flat prior and ignores mean and variance. */
export type GaussianPrior = { mean: number; variance: number; proper: boolean };
export const FLAT_PRIOR: GaussianPrior = { mean: 0, variance: 1, proper: false };
/** GrowthBook's proper prior when switched on: N(0, 0.3²) on the lift (DEFAULT_PROPER_PRIOR_STDDEV = 0.3). */
export const PROPER_PRIOR: GaussianPrior = { mean: 0, variance: 0.09, proper: true };

export type BayesianFigures = {
  /** Posterior mean of the effect on this scale. */
  estimate: number | null;
  /** Posterior standard deviation. */
  sd: number | null;
  /** P(treatment better than control): P(δ > 0), or P(δ < 0) for an inverse (lower is better) metric. */
  chanceToWin: number | null;
  /** Equal-tailed (1 − α) credible interval, never flipped for inverse metrics. */
  ci: [number, number] | null;
  /** Expected loss [of keeping control, of shipping the treatment], in the units of the scale. */
  risk: [number, number] | null;
  reason: string | null;
};

const dnorm = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/**
 * Expected losses of a N(μ, s²) effect: riskControl = E[max(δ, 0)] = (1 − p₀)·E[δ | δ > 0], riskTreatment =
 * E[max(−δ, 0)] = −p₀·E[δ | δ < 0] with p₀ = Φ(−μ/s) (gbstats `get_risk`; the |μ/s| > 37 short cut included).
 */
export function gaussianRisk(mu: number, s: number): [number, number] {
  const z = mu / s;
  if (s > 0 && Math.abs(z) > 37) return [Math.max(mu, 0), Math.max(-mu, 0)];
  const p0 = pnorm(-z);
  const p1 = 1 - p0;
  // the (1 − p₀)·E⁺ form: 1 − p₀ rounds to 0 in the far lower tail, where gbstats reports exactly 0
  const control = p1 > 0 ? p1 * (mu + (s * dnorm(z)) / pnorm(z)) : 0;
  const treatment = p0 > 0 ? -p0 * (mu - (s * dnorm(z)) / p0) : 0;
  return [control, treatment];
}

/**
 * Posterior of the effect on one scale. The prior is on the lift: on the absolute scale it is rescaled by the control
 * mean (μ₀·|m_A|, τ²·m_A²). Flat: μ = Δ, s² = V; proper: precision 1/V + 1/τ², mean (Δ/V + μ₀/τ²)/precision.
 */
export function bayesian(
  m: Moments,
  scale: Scale,
  controlMean: number,
  options: { alpha: number; prior?: GaussianPrior; inverse?: boolean },
): BayesianFigures {
  if (!m.ok) return { estimate: null, sd: null, chanceToWin: null, ci: null, risk: null, reason: m.reason };
  const prior = options.prior ?? FLAT_PRIOR;
  let mu = m.delta;
  let precision = 1 / m.variance;
  if (prior.proper) {
    const mean0 = scale === "absolute" ? prior.mean * Math.abs(controlMean) : prior.mean;
    const var0 = scale === "absolute" ? prior.variance * controlMean ** 2 : prior.variance;
    precision = 1 / m.variance + 1 / var0;
    mu = (m.delta / m.variance + mean0 / var0) / precision;
  }
  const s = Math.sqrt(1 / precision);
  const up = 1 - pnorm(-mu / s); // norm.sf(0, μ, s)
  const z = qnorm(1 - options.alpha / 2);
  const [riskControl, riskTreatment] = gaussianRisk(mu, s);
  return {
    estimate: mu,
    sd: s,
    chanceToWin: options.inverse ? 1 - up : up,
    ci: [mu - z * s, mu + z * s],
    risk: options.inverse ? [riskTreatment, riskControl] : [riskControl, riskTreatment],
    reason: null,
  };
}
