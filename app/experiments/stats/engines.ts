import {
  compareMeans,
  compareProportions,
  compareRatios,
  ratioEstimate,
  type Comparison,
  type MeanArm,
  type ProportionArm,
  type RatioArm,
} from "./analysis";
import { bayesian, FLAT_PRIOR, type GaussianPrior } from "./bayesian";
import {
  effectMoments,
  meanWithVariance,
  proportionMoments,
  sampleMeanMoments,
  type ArmMoments,
  type Scale,
} from "./effect";
import { DEFAULT_TUNING, sequentialOneSided, sequentialTwoSided } from "./sequential";

// The three analysis engines behind one call (issue #11; ../shared/STATS-BAYES-SEQUENTIAL.md): fixed-horizon (today's
// tests, analysis.ts), sequential (always-valid confidence sequence) and Bayesian (Gaussian on the effect). Pure.
// Every treatment is compared with control on its own, on the relative and the absolute scale.

export const ENGINES = ["fixed", "sequential", "bayesian"] as const;
export type Engine = (typeof ENGINES)[number];
export const ENGINE_LABELS: Record<Engine, string> = {
  fixed: "Fixed-horizon frequentist",
  sequential: "Sequential frequentist (always valid)",
  bayesian: "Bayesian",
};

export type EngineSettings = {
  engine: Engine;
  alpha: number;
  /** 1: a one-sided test of improvement (fixed-horizon p-values stay two-sided, as today; sequential uses its one-sided form). */
  sides?: 1 | 2;
  /** Sequential tuning N* (default 5,000). */
  tuning?: number;
  /** Bayesian prior on the lift (default flat). */
  prior?: GaussianPrior;
  /** Lower is better (refund rate): chance to win and risk turn round. */
  inverse?: boolean;
};

/** The figures of one scale. Fixed and sequential: estimate, ci, pValue; Bayesian: estimate, ci, chanceToWin, risk. */
export type ScaleFigures = {
  estimate: number | null;
  /** An infinite end of a one-sided interval is null. */
  ci: [number | null, number | null] | null;
  pValue?: number | null;
  chanceToWin?: number | null;
  risk?: [number, number] | null;
  /** Why a figure is null; null when every figure is computed. */
  reason: string | null;
};
export type EngineComparison = { arm: string; engine: Engine; relative: ScaleFigures; absolute: ScaleFigures };

export type MetricPair =
  | { kind: "proportion"; control: ProportionArm; treatment: ProportionArm }
  | { kind: "mean"; control: MeanArm; treatment: MeanArm }
  | { kind: "ratio"; control: RatioArm; treatment: RatioArm };

function moments(pair: MetricPair): [ArmMoments, ArmMoments] {
  if (pair.kind === "proportion")
    return [
      proportionMoments(pair.control.users, pair.control.conversions),
      proportionMoments(pair.treatment.users, pair.treatment.conversions),
    ];
  if (pair.kind === "mean")
    return [
      sampleMeanMoments(pair.control.n, pair.control.sum, pair.control.sumSquares),
      sampleMeanMoments(pair.treatment.n, pair.treatment.sum, pair.treatment.sumSquares),
    ];
  const of = (a: RatioArm) => {
    if (!(a.den > 0)) return { n: a.n, mean: 0, variance: 0 };
    const r = ratioEstimate(a);
    return meanWithVariance(a.n, r.value, r.variance);
  };
  return [of(pair.control), of(pair.treatment)];
}

function fixedComparison(pair: MetricPair, alpha: number): Comparison {
  if (pair.kind === "proportion") return compareProportions(pair.control, pair.treatment, alpha);
  if (pair.kind === "mean") return compareMeans(pair.control, pair.treatment, alpha);
  return compareRatios(pair.control, pair.treatment, alpha);
}

const NULL_FIGURES = (engine: Engine, reason: string): ScaleFigures =>
  engine === "bayesian"
    ? { estimate: null, ci: null, chanceToWin: null, risk: null, reason }
    : { estimate: null, ci: null, pValue: null, reason };

/** One treatment against control with the chosen engine, on both scales. */
export function compareWithEngine(pair: MetricPair, settings: EngineSettings): EngineComparison {
  const [a, b] = moments(pair);
  const arm = pair.treatment.name;
  const scales = {} as Record<Scale, ScaleFigures>;
  const fixed = settings.engine === "fixed" ? fixedComparison(pair, settings.alpha) : null;
  for (const scale of ["relative", "absolute"] as const) {
    const m = effectMoments(a, b, scale);
    if (!m.ok) {
      scales[scale] = NULL_FIGURES(settings.engine, m.reason);
      continue;
    }
    if (settings.engine === "fixed") {
      const f = fixed![scale];
      scales[scale] = { estimate: f.estimate, ci: f.ci, pValue: f.pValue, reason: null };
    } else if (settings.engine === "sequential") {
      const tuning = settings.tuning ?? DEFAULT_TUNING;
      const s =
        settings.sides === 1
          ? sequentialOneSided(m, settings.alpha, settings.inverse ? "lesser" : "greater", tuning)
          : sequentialTwoSided(m, settings.alpha, tuning);
      scales[scale] = { estimate: s.estimate, ci: s.ci, pValue: s.pValue, reason: s.reason };
    } else {
      const r = bayesian(m, scale, a.mean, {
        alpha: settings.alpha,
        prior: settings.prior ?? FLAT_PRIOR,
        inverse: settings.inverse,
      });
      scales[scale] = { estimate: r.estimate, ci: r.ci, chanceToWin: r.chanceToWin, risk: r.risk, reason: r.reason };
    }
  }
  return { arm, engine: settings.engine, relative: scales.relative, absolute: scales.absolute };
}
