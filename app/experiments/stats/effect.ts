// Effect moments of one treatment against control (docs: ../shared/STATS-BAYES-SEQUENTIAL.md §1–2, gbstats 0.8.0
// `EffectMoments`, `frequentist_diff`, `variance_of_ratios`), pure. Every engine reads the same Δ, V and n.

/** One arm's mean and per-unit variance σ² over n units (the variance of the mean is σ²/n). */
export type ArmMoments = { n: number; mean: number; variance: number };
export type Scale = "relative" | "absolute";

/** Why a figure cannot be computed (gbstats' error codes, in words). */
export const REASONS = {
  zeroVariance:
    "an arm has zero variance (every value the same: 0% or 100% conversion, or fewer than 2 customers), so no spread can be estimated",
  zeroBaseline: "the control mean is 0, so a change relative to it is undefined",
} as const;

/** A proportion arm: mean x/n and variance m(1 − m), no Bessel correction (gbstats ProportionStatistic). */
export function proportionMoments(users: number, conversions: number): ArmMoments {
  const mean = users > 0 ? conversions / users : 0;
  return { n: users, mean, variance: mean * (1 - mean) };
}

/** A mean arm from its sums: variance (Q − S²/n)/(n − 1) (gbstats SampleMeanStatistic). */
export function sampleMeanMoments(n: number, sum: number, sumSquares: number): ArmMoments {
  const mean = n > 0 ? sum / n : 0;
  return { n, mean, variance: n > 1 ? (sumSquares - (sum * sum) / n) / (n - 1) : 0 };
}

/** An arm known by its mean and the variance of that mean (a delta-method ratio such as AOV): σ² = var(mean)·n. */
export function meanWithVariance(n: number, mean: number, varianceOfMean: number): ArmMoments {
  return { n, mean, variance: varianceOfMean * n };
}

export type Moments = { ok: true; delta: number; variance: number; n: number } | { ok: false; reason: string };

/**
 * Δ and V on a scale: absolute Δ = m_B − m_A, V = σ_B²/n_B + σ_A²/n_A; relative Δ = (m_B − m_A)/|m_A| with the
 * delta-method V = σ_B²/(n_B m_A²) + σ_A² m_B²/(n_A m_A⁴). Guards in gbstats' order: zero or negative variance first
 * (so a zero control mean reads as zero variance on the relative scale), then the zero baseline.
 */
export function effectMoments(a: ArmMoments, b: ArmMoments, scale: Scale): Moments {
  const n = a.n + b.n;
  let delta: number;
  let variance: number;
  if (scale === "absolute") {
    delta = b.mean - a.mean;
    variance = b.variance / b.n + a.variance / a.n;
  } else {
    delta = a.mean !== 0 ? (b.mean - a.mean) / Math.abs(a.mean) : 0;
    variance = a.mean !== 0 ? b.variance / (b.n * a.mean ** 2) + (a.variance * b.mean ** 2) / (a.n * a.mean ** 4) : 0;
  }
  if (!(a.variance > 0) || !(b.variance > 0) || !(variance > 0) || !(a.n > 0) || !(b.n > 0))
    return { ok: false, reason: REASONS.zeroVariance };
  if (a.mean === 0) return { ok: false, reason: REASONS.zeroBaseline };
  return { ok: true, delta, variance, n };
}
