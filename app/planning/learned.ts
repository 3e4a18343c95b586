import { qnorm } from "~/experiments/stats/distributions";

// Learned lifts that respect uncertainty (issue #11 item 5), pure: each experiment's relative lift y_i with its
// standard error s_i; lifts pooled by group (campaign type × audience) by inverse variance; then shrunk toward 0 by a
// normal prior N(0, τ²) whose variance is estimated across experiments by the method of moments,
// τ² = max(0, mean(y_i²) − mean(s_i²)) (E[y²] = τ² + s² under the prior; Efron & Morris 1975, Morris 1983, with the
// prior mean fixed at 0). The empirical-Bayes posterior of a group's lift: mean ŷ·τ²/(τ² + s²), variance τ²s²/(τ² + s²).

export type ExperimentLift = { id: number; name: string; audience: string; estimate: number; se: number };

export type Shrunk = {
  /** Posterior mean (the lift the plan uses). */
  estimate: number;
  /** Posterior (1 − α) interval. */
  ci: [number, number];
  /** The pooled estimate before shrinkage, with its interval. */
  raw: { estimate: number; ci: [number, number] };
  /** The prior variance estimated across experiments, and the share of the raw estimate kept (τ²/(τ² + s²)). */
  tau2: number;
  kept: number;
};

/** τ² by the method of moments across every experiment's lift (0 when they scatter no more than their noise). */
export function priorVariance(lifts: Pick<ExperimentLift, "estimate" | "se">[]): number {
  if (!lifts.length) return 0;
  const meanSquare = lifts.reduce((s, l) => s + l.estimate ** 2, 0) / lifts.length;
  const noise = lifts.reduce((s, l) => s + l.se ** 2, 0) / lifts.length;
  return Math.max(0, meanSquare - noise);
}

/** Inverse-variance pooling of a group's lifts. */
export function pool(lifts: Pick<ExperimentLift, "estimate" | "se">[]): { estimate: number; se: number } {
  const weights = lifts.map((l) => 1 / l.se ** 2);
  const total = weights.reduce((a, b) => a + b, 0);
  return { estimate: lifts.reduce((s, l, i) => s + l.estimate * weights[i], 0) / total, se: Math.sqrt(1 / total) };
}

/** The empirical-Bayes posterior of a pooled group lift under the prior N(0, τ²). */
export function shrink(pooled: { estimate: number; se: number }, tau2: number, alpha = 0.05): Shrunk {
  const z = qnorm(1 - alpha / 2);
  const s2 = pooled.se ** 2;
  const kept = tau2 > 0 ? tau2 / (tau2 + s2) : 0;
  const mean = pooled.estimate * kept;
  const sd = Math.sqrt(s2 * kept);
  return {
    estimate: mean,
    ci: [mean - z * sd, mean + z * sd],
    raw: { estimate: pooled.estimate, ci: [pooled.estimate - z * pooled.se, pooled.estimate + z * pooled.se] },
    tau2,
    kept,
  };
}
