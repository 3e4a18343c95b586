import type { Moments } from "./effect";

// The sequential engine: the asymptotic always-valid confidence sequence of Waudby-Smith et al. (arXiv 2103.06476v7),
// as gbstats 0.8.0 `SequentialTwoSidedTTest` / `SequentialOneSidedTreatment*TTest` (definitions in
// ../shared/STATS-BAYES-SEQUENTIAL.md §4). Pure. Departure from gbstats: the one-sided p-value is the exact root of
// the interval end (closed form below), not a bisection to 1e-6.

export const DEFAULT_TUNING = 5_000;

export type SequentialFigures = {
  estimate: number | null;
  ci: [number | null, number | null] | null;
  pValue: number | null;
  reason: string | null;
};

/** Mixing parameter ρ (eq. 161); one-sided tests use 2α inside the formula. */
function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** Two-sided half-width (eq. 9): SE·√(2(nρ² + 1)/(nρ²)·ln(√(nρ² + 1)/α)). */
export function sequentialHalfWidth(variance: number, n: number, alpha: number, tuning: number): number {
  const rho = sequentialRho(alpha, tuning);
  const t = n * rho * rho + 1;
  const s2 = variance * n;
  return Math.sqrt(s2) * Math.sqrt((2 * t * Math.log(Math.sqrt(t) / alpha)) / (n * rho) ** 2);
}

/** The two-sided always-valid interval Δ ± hw and p-value min(1, 1/e) (eq. 155, test value 0). */
export function sequentialTwoSided(m: Moments, alpha: number, tuning = DEFAULT_TUNING): SequentialFigures {
  if (!m.ok) return { estimate: null, ci: null, pValue: null, reason: m.reason };
  const hw = sequentialHalfWidth(m.variance, m.n, alpha, tuning);
  const rho = sequentialRho(alpha, tuning);
  const st2 = (m.delta * m.delta * m.n) / m.variance;
  const t = m.n * rho * rho + 1;
  const e = Math.exp((rho * rho * st2) / (2 * t)) / Math.sqrt(t);
  return {
    estimate: m.delta,
    ci: [m.delta - hw, m.delta + hw],
    pValue: e === Infinity ? 0 : Math.min(1 / e, 1),
    reason: null,
  };
}

/** One-sided half-width at level a with ρ fixed from the configured α (eq. 134). */
function oneSidedHalfWidth(variance: number, n: number, rho: number, a: number): number {
  const t = n * rho * rho + 1;
  return Math.sqrt(((variance * n * 2 * t) / (n * rho) ** 2) * Math.log(1 + Math.sqrt(t) / (2 * a)));
}

/**
 * One-sided always-valid test. "greater": H₁ treatment > control, ci [Δ − hw₁, +∞); "lesser": H₁ treatment <
 * control, ci (−∞, Δ + hw₁]. An infinite end is null. The p-value is the level a at which the finite end reaches 0:
 * ln(1 + √t/(2a)) = Δ²(nρ)²/(2·V·n·t) gives a = √t / (2(e^K − 1)), capped at 1; 1 when Δ points the other way.
 */
export function sequentialOneSided(
  m: Moments,
  alpha: number,
  direction: "greater" | "lesser",
  tuning = DEFAULT_TUNING,
): SequentialFigures {
  if (!m.ok) return { estimate: null, ci: null, pValue: null, reason: m.reason };
  if (alpha >= 0.5)
    return { estimate: m.delta, ci: null, pValue: null, reason: "a one-sided sequential test needs α below 0.5" };
  const rho = sequentialRho(2 * alpha, tuning);
  const hw = oneSidedHalfWidth(m.variance, m.n, rho, alpha);
  const t = m.n * rho * rho + 1;
  const towards = direction === "greater" ? m.delta > 0 : m.delta < 0;
  let pValue = 1;
  if (towards) {
    const k = (m.delta * m.delta * (m.n * rho) ** 2) / (2 * m.variance * m.n * t);
    pValue = Math.min(1, Math.sqrt(t) / (2 * Math.expm1(k)));
  }
  return {
    estimate: m.delta,
    ci: direction === "greater" ? [m.delta - hw, null] : [null, m.delta + hw],
    pValue,
    reason: null,
  };
}

/** The finite end of the one-sided interval at level a (for checking the root against a numerical solver). */
export function oneSidedEnd(
  m: Extract<Moments, { ok: true }>,
  alpha: number,
  a: number,
  direction: "greater" | "lesser",
  tuning = DEFAULT_TUNING,
): number {
  const hw = oneSidedHalfWidth(m.variance, m.n, sequentialRho(2 * alpha, tuning), a);
  return direction === "greater" ? m.delta - hw : m.delta + hw;
}
