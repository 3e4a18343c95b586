import {
  conditionalExpectedPurchases,
  expectedAverageValue,
  fitBgNbd,
  fitGammaGamma,
  probabilityAlive,
  type BgNbd,
  type FitInfo,
  type GammaGamma,
} from "./clv";

// Both customer-value fits with their checks (#12 item 3, #14 item 4), pure: the maximum-likelihood BG/NBD and
// Gamma-Gamma, and the same fits with an L2 penalty on the log-parameters; each capped in evaluations and time, each
// checked in words (did not converge, a parameter at a bound, P(alive) ≈ 1 for everyone, the holdout under-predicted),
// and the predictions of the fit to use. Runs in the CLV worker thread (clv.worker.ts) or, in tests, in-line.

export type FitInput = {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  m: Float64Array;
  holdout: Float64Array;
  holdoutWeeks: number;
};
export type FitCaps = { maxEvaluations: number; maxMillis: number };
export type FitCheck = {
  bgnbd: BgNbd & FitInfo;
  gammaGamma: GammaGamma & FitInfo & { customers: number };
  /** Holdout: purchases predicted over the customers after the calibration end, against those made. */
  holdout: { predicted: number; actual: number; underPrediction: number };
  /** Share of repeat buyers with P(alive) ≥ 99%. */
  aliveShare: number;
  /** What is wrong with this fit, in words; empty when nothing is. */
  problems: string[];
  usable: boolean;
};
export type FitPair = {
  plain: FitCheck;
  regularised: FitCheck;
  penalizer: number;
  used: "plain" | "regularised" | null;
  reason: string;
  /** Said plainly when the fit used fails its holdout check: the predictions are only a rough guide. Null otherwise. */
  warning: string | null;
};
export type Predictions = {
  pAlive: Float64Array;
  purchases30: Float64Array;
  purchases90: Float64Array;
  purchases365: Float64Array;
  expectedValue: Float64Array;
  holdoutPredicted: Float64Array;
};

/** The penalty coefficient of the regularised fit (objective: −mean log-likelihood + c·Σ(log θ)²). */
const PENALIZER = 0.01;
/** A BG/NBD a or b below this, or above its inverse, is at a bound: the dropout process has degenerated. */
const BOUND = 1e-3;
/** The holdout may under-predict by this share of the purchases made before the fit is called degenerate. */
export const MAX_UNDER_PREDICTION = 0.2;
/** Caps per fit; the four fits of a request together stay within four times these. */
export const DEFAULT_CAPS: FitCaps = { maxEvaluations: 20_000, maxMillis: 10_000 };

const WEEK = 7;
const fmt = (v: number) => (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(1) : v.toPrecision(3));
const STATUS_WORDS = {
  "max-iterations": "ran out of iterations",
  "max-evaluations": "ran out of its evaluation budget",
  timeout: "ran out of time",
  diverged: "diverged (a parameter ran off towards 0 or infinity)",
} as const;

function check(input: FitInput, penalizer: number, caps: FitCaps): FitCheck {
  const n = input.x.length;
  const summaries = Array.from({ length: n }, (_, i) => ({ x: input.x[i], tx: input.tx[i], T: input.T[i] }));
  const bgnbd = fitBgNbd(summaries, { ...caps, penalizer });
  const buyers: { x: number; m: number }[] = [];
  for (let i = 0; i < n; i++) if (input.x[i] > 0 && input.m[i] > 0) buyers.push({ x: input.x[i], m: input.m[i] });
  const gammaGamma = { ...fitGammaGamma(buyers, { ...caps, penalizer }), customers: buyers.length };
  const problems: string[] = [];
  const label = penalizer > 0 ? "The regularised" : "The";
  if (bgnbd.status !== "converged")
    problems.push(
      `${label} BG/NBD fit did not converge: it ${STATUS_WORDS[bgnbd.status]} after ${bgnbd.evaluations.toLocaleString("en-GB")} evaluations.`,
    );
  if (gammaGamma.status !== "converged")
    problems.push(
      `${label} Gamma-Gamma fit did not converge: it ${STATUS_WORDS[gammaGamma.status]} after ${gammaGamma.evaluations.toLocaleString("en-GB")} evaluations.`,
    );
  for (const [name, v] of [
    ["a", bgnbd.a],
    ["b", bgnbd.b],
  ] as const)
    if (v < BOUND || v > 1 / BOUND)
      problems.push(`BG/NBD ${name} = ${fmt(v)} is at a bound: the model has stopped describing customers who leave.`);
  if (gammaGamma.p > 1e6 || gammaGamma.q > 1e6 || gammaGamma.v > 1e9 || gammaGamma.q <= 1)
    problems.push(
      `Gamma-Gamma p = ${fmt(gammaGamma.p)}, q = ${fmt(gammaGamma.q)}, v = ${fmt(gammaGamma.v)} are degenerate: expected order values are not reliable.`,
    );
  let repeat = 0;
  let alive = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < n; i++) {
    const s = summaries[i];
    if (s.x > 0) {
      repeat++;
      if (probabilityAlive(bgnbd, s) >= 0.99) alive++;
    }
    predicted += conditionalExpectedPurchases(bgnbd, s, input.holdoutWeeks);
    actual += input.holdout[i];
  }
  const aliveShare = repeat ? alive / repeat : 0;
  if (repeat && aliveShare >= 0.99)
    problems.push(
      `P(alive) is 99% or more for ${(100 * aliveShare).toFixed(1)}% of repeat buyers: the model sees nearly no one as lost, Lost customers included.`,
    );
  const underPrediction = actual > 0 ? (actual - predicted) / actual : 0;
  if (underPrediction > MAX_UNDER_PREDICTION)
    problems.push(
      `The holdout is under-predicted by ${(100 * underPrediction).toFixed(0)}% ` +
        `(${Math.round(predicted).toLocaleString("en-GB")} purchases predicted, ` +
        `${actual.toLocaleString("en-GB")} made), more than the ${100 * MAX_UNDER_PREDICTION}% allowed.`,
    );
  if (!Number.isFinite(predicted)) problems.push(`${label} BG/NBD predictions are not finite numbers.`);
  const usable = bgnbd.status === "converged" && gammaGamma.status === "converged" && Number.isFinite(predicted);
  return { bgnbd, gammaGamma, holdout: { predicted, actual, underPrediction }, aliveShare, problems, usable };
}

/** How far a fit's holdout prediction is from the purchases made, as a share of them (either direction). */
const holdoutError = (fit: FitCheck) => Math.abs(fit.holdout.underPrediction);

/** The fit used fails its holdout check (the same rule as check(): under-predicted by more than MAX_UNDER_PREDICTION). */
export function holdoutWarning(fit: FitCheck | null): string | null {
  if (!fit || !(fit.holdout.underPrediction > MAX_UNDER_PREDICTION)) return null;
  return (
    `The predictions miss the holdout by ${(100 * fit.holdout.underPrediction).toFixed(0)}% (more than ` +
    `the ${100 * MAX_UNDER_PREDICTION}% allowed): treat them as a rough guide, not a forecast.`
  );
}

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

/**
 * Both fits and which to use: the maximum-likelihood fit when it passes every check; else, when both converged, the one
 * whose holdout prediction is nearer the purchases made (the only check of the predictions themselves); else the one
 * that converged; else none. The warning says so when the fit used fails its holdout check.
 */
export function fitPair(input: FitInput, caps: FitCaps = DEFAULT_CAPS, penalizer = PENALIZER): FitPair {
  return chooseFit(check(input, 0, caps), check(input, penalizer, caps), penalizer);
}

/** The choice of fitPair, given both checked fits. */
export function chooseFit(plain: FitCheck, regularised: FitCheck, penalizer: number): FitPair {
  const pick = (used: FitPair["used"], reason: string): FitPair => ({
    plain,
    regularised,
    penalizer,
    used,
    reason,
    warning: holdoutWarning(used ? (used === "plain" ? plain : regularised) : null),
  });
  if (plain.usable && plain.problems.length === 0)
    return pick("plain", "The maximum-likelihood fit passes every check.");
  if (plain.usable && regularised.usable) {
    const errors = `holdout error ${pct(holdoutError(regularised))} regularised against ${pct(holdoutError(plain))} maximum-likelihood`;
    return holdoutError(regularised) <= holdoutError(plain)
      ? pick(
          "regularised",
          `The maximum-likelihood fit has problems, so the predictions use the fit regularised with an L2 ` +
            `penalty of ${penalizer} on the log-parameters: it misses the holdout by less (${errors}).`,
        )
      : pick(
          "plain",
          `The maximum-likelihood fit has problems, but the predictions use it: it misses the holdout by less ` +
            `than the fit regularised with an L2 penalty of ${penalizer} on the log-parameters (${errors}).`,
        );
  }
  if (regularised.usable)
    return pick(
      "regularised",
      `The maximum-likelihood fit did not converge, so the predictions use the fit regularised with an L2 penalty of ${penalizer} on the log-parameters.`,
    );
  if (plain.usable)
    return pick(
      "plain",
      "The regularised fit did not converge: the predictions use the maximum-likelihood fit despite its problems.",
    );
  return pick(null, "Neither fit converged: no predictions are shown.");
}

/** Per-customer predictions of a fit. */
export function predict(input: FitInput, fit: FitCheck): Predictions {
  const n = input.x.length;
  const out: Predictions = {
    pAlive: new Float64Array(n),
    purchases30: new Float64Array(n),
    purchases90: new Float64Array(n),
    purchases365: new Float64Array(n),
    expectedValue: new Float64Array(n),
    holdoutPredicted: new Float64Array(n),
  };
  const { bgnbd, gammaGamma } = fit;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) if (input.x[i] > 0 && input.m[i] > 0) ((sum += input.m[i]), count++);
  const meanValue = count ? sum / count : 0;
  const population = (gammaGamma.p * gammaGamma.v) / (gammaGamma.q - 1);
  for (let i = 0; i < n; i++) {
    const s = { x: input.x[i], tx: input.tx[i], T: input.T[i] };
    out.pAlive[i] = probabilityAlive(bgnbd, s);
    out.purchases30[i] = conditionalExpectedPurchases(bgnbd, s, 30 / WEEK);
    out.purchases90[i] = conditionalExpectedPurchases(bgnbd, s, 90 / WEEK);
    out.purchases365[i] = conditionalExpectedPurchases(bgnbd, s, 365 / WEEK);
    out.holdoutPredicted[i] = conditionalExpectedPurchases(bgnbd, s, input.holdoutWeeks);
    out.expectedValue[i] =
      s.x > 0 && input.m[i] > 0
        ? expectedAverageValue(gammaGamma, s.x, input.m[i])
        : Number.isFinite(population) && population > 0
          ? population
          : meanValue;
  }
  return out;
}
