import { liftLower } from "~/lib/lift";
import { signedPercentText } from "~/lib/numbers";
import type { Design } from "./design";
import {
  benjaminiHochberg,
  compareMeans,
  compareProportions,
  compareRatios,
  cuped,
  guardrail,
  holm,
  sampleRatioMismatch,
  type Comparison,
  type RatioArm,
} from "./stats/analysis";
import {
  compareWithEngine,
  ENGINE_LABELS,
  type Engine,
  type EngineComparison,
  type EngineSettings,
  type MetricPair,
  type ScaleFigures,
} from "./stats/engines";
import { REASONS } from "./stats/effect";
import { analysePower, mdeAt, type PowerInput } from "./stats/power";
import { customersNeeded, detectableEffect, type SizingInput } from "./stats/sizing";

// From recorded results to a decision (PRODUCT.md §4, issue #11): per-arm metrics, comparisons read with the design's
// engine (fixed-horizon, sequential or Bayesian), SRM, guardrails (never dropped: "not measurable" with the reason),
// CUPED, and one of four outcomes per engine — Ship, Don't ship, Keep running (what is still needed, never more than
// the audience can give), Stop: can't be decided (with the smallest effect the whole audience can detect). Pure.

/** Per-arm sufficient statistics; the squares and cross sums exist only when results are per customer. */
export type ArmStats = {
  name: string;
  users: number;
  conversions: number;
  revenueSum: number;
  revenueSquares: number;
  orders: number;
  refunded: number;
  ordersSquares?: number;
  revenueOrders?: number;
  refundedSquares?: number;
  refundedRevenue?: number;
};

export type CustomerOutcome = {
  arm: number;
  converted: boolean;
  revenue: number;
  orders: number;
  refunded: number;
  preSpend: number;
};

export function armStatsFromOutcomes(names: string[], outcomes: CustomerOutcome[]): ArmStats[] {
  const arms: ArmStats[] = names.map((name) => ({
    name,
    users: 0,
    conversions: 0,
    revenueSum: 0,
    revenueSquares: 0,
    orders: 0,
    refunded: 0,
    ordersSquares: 0,
    revenueOrders: 0,
    refundedSquares: 0,
    refundedRevenue: 0,
  }));
  for (const o of outcomes) {
    const a = arms[o.arm];
    a.users++;
    if (o.converted) a.conversions++;
    a.revenueSum += o.revenue;
    a.revenueSquares += o.revenue ** 2;
    a.orders += o.orders;
    a.refunded += o.refunded;
    a.ordersSquares! += o.orders ** 2;
    a.revenueOrders! += o.revenue * o.orders;
    a.refundedSquares! += o.refunded ** 2;
    a.refundedRevenue! += o.refunded * o.revenue;
  }
  return arms;
}

const perCustomer = (a: ArmStats) => a.ordersSquares !== undefined;
const aovArm = (a: ArmStats): RatioArm => ({
  name: a.name,
  n: a.users,
  num: a.revenueSum,
  den: a.orders,
  numSquares: a.revenueSquares,
  denSquares: a.ordersSquares!,
  cross: a.revenueOrders!,
});
const refundArm = (a: ArmStats): RatioArm => ({
  name: a.name,
  n: a.users,
  num: a.refunded,
  den: a.revenueSum,
  numSquares: a.refundedSquares!,
  denSquares: a.revenueSquares,
  cross: a.refundedRevenue!,
});
const revenueArm = (a: ArmStats) => ({ name: a.name, n: a.users, sum: a.revenueSum, sumSquares: a.revenueSquares });
const conversionArm = (a: ArmStats) => ({ name: a.name, users: a.users, conversions: a.conversions });

const VERDICTS = ["ship", "dont-ship", "keep-running", "cannot-decide"] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VERDICT_TITLES: Record<Verdict, string> = {
  ship: "Ship",
  "dont-ship": "Don't ship",
  "keep-running": "Keep running",
  "cannot-decide": "Stop: can't be decided",
};

export type Decision = {
  verdict: Verdict;
  arm: string | null;
  /** The engine's reading of the primary metric in one sentence per treatment. */
  headline: string[];
  reasons: string[];
  /** Keep running: customers still needed per arm (never more than `capacityLeft`), or days of the window still to observe. */
  extraPerArm: number | null;
  daysLeft: number | null;
  /** Customers the frozen assignment can still add per arm (null when not known). */
  capacityLeft: number | null;
  /** Can't be decided: the smallest relative effect the whole audience can detect with the planned power (null when none). */
  smallestDetectable: number | null;
};

export type GuardrailResult = {
  arm: string;
  metric: "refund_rate" | "aov";
  margin: number;
  estimate: number | null;
  bound: number | null;
  verdict: "pass" | "fail" | "inconclusive" | "not-measurable";
  reason: string | null;
};

export type MetricKey = "conversion" | "revenue" | "aov" | "refundRate";

export type ResultsAnalysis = {
  engine: {
    name: Engine;
    label: string;
    alpha: number;
    tuning: number | null;
    prior: { mean: number; sd: number } | null;
    interim: boolean;
  };
  arms: {
    name: string;
    users: number;
    conversion: number | null;
    revenuePerCustomer: number | null;
    aov: number | null;
    refundRate: number | null;
  }[];
  /** Fixed-horizon comparisons of every metric (the report's lift rows). */
  metrics: {
    conversion: Comparison[];
    revenue: Comparison[];
    aov: Comparison[] | null;
    refundRate: Comparison[] | null;
  };
  /** The same metrics read with the design's engine; null with the reason when a metric cannot be read at all. */
  engineMetrics: Record<MetricKey, { comparisons: EngineComparison[] | null; reason: string | null }>;
  primary: {
    metric: Design["primaryMetric"];
    correction: "holm" | "bh";
    comparisons: (EngineComparison & {
      adjustedP: number | null;
      significant: boolean;
      wins: boolean;
      loses: boolean;
    })[];
  };
  srm: { chi2: number; pValue: number; flagged: boolean };
  guardrails: GuardrailResult[];
  cuped: {
    theta: number;
    varianceReduction: number;
    /** false when the pre-period spend is the same for every customer of each arm: CUPED then adjusts nothing */
    covariateVaries: boolean;
    unadjusted: Comparison[];
    adjusted: Comparison[];
  } | null;
  decision: Decision;
};

export type AnalysisOptions = {
  correction?: "holm" | "bh";
  /** Customers assigned per arm (a started experiment's frozen assignment): what the test can still reach. */
  assigned?: number[] | null;
  /** Interim measured results: read with the sequential engine; what is missing is days of the window, not customers. */
  interim?: { daysObserved: number; windowDays: number } | null;
  /** The design's own sizing (control customers per arm on its back-tested baseline), named beside the card's re-sizing. */
  planned?: { perArm: number; baseline: number } | null;
};

const NEEDS_PER_CUSTOMER =
  "needs per-customer results (an upload, a simulation or measured results): typed counts carry no per-customer spread";

/** The design's engine settings (an interim reading is always sequential). */
export function engineSettings(design: Design, interim = false): EngineSettings {
  const s = design.stats;
  const engine: Engine = interim ? "sequential" : s.engine;
  return {
    engine,
    alpha: s.alpha,
    sides: s.sides,
    tuning: s.tuning,
    prior: s.prior.proper ? { mean: s.prior.mean, variance: s.prior.sd ** 2, proper: true } : undefined,
  };
}

/** Significance on the relative scale: the interval shown must exclude 0 (and, for several arms, the adjusted p be below α). */
const excludesZero = (f: ScaleFigures): 1 | -1 | 0 =>
  f.ci === null ? 0 : f.ci[0] !== null && f.ci[0] > 0 ? 1 : f.ci[1] !== null && f.ci[1] < 0 ? -1 : 0;

export function analyseResults(
  design: Design,
  arms: ArmStats[],
  outcomes: CustomerOutcome[] | null,
  options: AnalysisOptions | "holm" | "bh" = {},
): ResultsAnalysis {
  const opts: AnalysisOptions = typeof options === "string" ? { correction: options } : options;
  const correction = opts.correction ?? "holm";
  const interim = !!opts.interim;
  const settings = engineSettings(design, interim);
  const alpha = design.stats.alpha;
  const [control, ...treatments] = arms;
  if (!arms.every((a) => a.users >= 2)) throw new Error("Every arm needs at least 2 users");
  const detailed = arms.every(perCustomer);
  const metrics = {
    conversion: treatments.map((t) => compareProportions(conversionArm(control), conversionArm(t), alpha)),
    revenue: treatments.map((t) => compareMeans(revenueArm(control), revenueArm(t), alpha)),
    aov:
      detailed && arms.every((a) => a.orders > 0 && a.revenueSum > 0)
        ? treatments.map((t) => compareRatios(aovArm(control), aovArm(t), alpha))
        : null,
    refundRate:
      detailed && control.refunded > 0 && arms.every((a) => a.revenueSum > 0)
        ? treatments.map((t) => compareRatios(refundArm(control), refundArm(t), alpha))
        : null,
  };
  const pairs: Record<MetricKey, { pairs: MetricPair[] | null; reason: string | null }> = {
    conversion: {
      pairs: treatments.map((t) => ({
        kind: "proportion",
        control: conversionArm(control),
        treatment: conversionArm(t),
      })),
      reason: null,
    },
    revenue: {
      pairs: treatments.map((t) => ({ kind: "mean", control: revenueArm(control), treatment: revenueArm(t) })),
      reason: null,
    },
    aov: !detailed
      ? { pairs: null, reason: NEEDS_PER_CUSTOMER }
      : !arms.every((a) => a.orders > 0)
        ? { pairs: null, reason: "an arm has no orders, so its average order value is undefined" }
        : {
            pairs: treatments.map((t) => ({ kind: "ratio", control: aovArm(control), treatment: aovArm(t) })),
            reason: null,
          },
    refundRate: !detailed
      ? { pairs: null, reason: NEEDS_PER_CUSTOMER }
      : control.refunded === 0
        ? { pairs: null, reason: "control had no refunds, so a relative change in the refund rate is undefined" }
        : !arms.every((a) => a.revenueSum > 0)
          ? { pairs: null, reason: "an arm has no revenue, so its refund rate is undefined" }
          : {
              pairs: treatments.map((t) => ({ kind: "ratio", control: refundArm(control), treatment: refundArm(t) })),
              reason: null,
            },
  };
  const engineMetrics = Object.fromEntries(
    (Object.keys(pairs) as MetricKey[]).map((k) => [
      k,
      {
        comparisons:
          pairs[k].pairs?.map((p) => compareWithEngine(p, { ...settings, inverse: k === "refundRate" })) ?? null,
        reason: pairs[k].reason,
      },
    ]),
  ) as ResultsAnalysis["engineMetrics"];

  const primaryKey: MetricKey = design.primaryMetric;
  const primaryComparisons = engineMetrics[primaryKey].comparisons;
  if (!primaryComparisons)
    throw new Error(`Average order value as the primary metric ${engineMetrics[primaryKey].reason}`);
  const rawP = primaryComparisons.map((c) => c.relative.pValue ?? null);
  const usableP = rawP.map((p) => p ?? 1);
  const adjusted =
    settings.engine === "fixed" && treatments.length > 1
      ? correction === "holm"
        ? holm(usableP)
        : benjaminiHochberg(usableP)
      : usableP;
  const primary: ResultsAnalysis["primary"] = {
    metric: design.primaryMetric,
    correction,
    comparisons: primaryComparisons.map((c, i) => {
      const side = excludesZero(c.relative);
      if (settings.engine === "bayesian") {
        const ctw = c.relative.chanceToWin ?? null;
        return {
          ...c,
          adjustedP: null,
          significant: side !== 0,
          wins: ctw !== null && ctw >= 1 - alpha,
          loses: ctw !== null && ctw <= alpha,
        };
      }
      const p = rawP[i] === null ? null : adjusted[i];
      const significant = side !== 0 && p !== null && p < alpha;
      return { ...c, adjustedP: p, significant, wins: significant && side > 0, loses: significant && side < 0 };
    }),
  };
  const srm = sampleRatioMismatch(
    arms.map((a) => a.users),
    design.arms.map((a) => a.share),
  );
  const guardrails = evaluateGuardrails(
    design,
    treatments.map((t) => t.name),
    engineMetrics,
    pairs,
    settings,
  );

  let cupedResult: ResultsAnalysis["cuped"] = null;
  if (outcomes && outcomes.length && design.primaryMetric !== "aov") {
    const value = (o: CustomerOutcome) => (design.primaryMetric === "conversion" ? (o.converted ? 1 : 0) : o.revenue);
    const y = outcomes.map(value);
    const adjustedY = cuped(
      y,
      outcomes.map((o) => o.preSpend),
      outcomes.map((o) => o.arm),
    );
    const sums = arms.map((a) => ({ name: a.name, n: 0, sum: 0, sumSquares: 0 }));
    const plain = arms.map((a) => ({ name: a.name, n: 0, sum: 0, sumSquares: 0 }));
    outcomes.forEach((o, i) => {
      sums[o.arm].n++;
      sums[o.arm].sum += adjustedY.adjusted[i];
      sums[o.arm].sumSquares += adjustedY.adjusted[i] ** 2;
      plain[o.arm].n++;
      plain[o.arm].sum += y[i];
      plain[o.arm].sumSquares += y[i] ** 2;
    });
    cupedResult = {
      theta: adjustedY.theta,
      varianceReduction: adjustedY.varianceReduction,
      covariateVaries: adjustedY.covariateVaries,
      unadjusted: treatments.map((_, i) => compareMeans(plain[0], plain[i + 1], alpha)),
      adjusted: treatments.map((_, i) => compareMeans(sums[0], sums[i + 1], alpha)),
    };
  }

  return {
    engine: {
      name: settings.engine,
      label: ENGINE_LABELS[settings.engine],
      alpha,
      tuning: settings.engine === "sequential" ? settings.tuning! : null,
      prior:
        settings.engine === "bayesian" && design.stats.prior.proper
          ? { mean: design.stats.prior.mean, sd: design.stats.prior.sd }
          : null,
      interim,
    },
    arms: arms.map((a) => ({
      name: a.name,
      users: a.users,
      conversion: a.users ? a.conversions / a.users : null,
      revenuePerCustomer: a.users ? a.revenueSum / a.users : null,
      aov: a.orders ? a.revenueSum / a.orders : null,
      refundRate: a.revenueSum ? a.refunded / a.revenueSum : null,
    })),
    metrics,
    engineMetrics,
    primary,
    srm,
    guardrails,
    cuped: cupedResult,
    decision: decide(design, arms, primary, srm, guardrails, settings, opts),
  };
}

/**
 * Guardrails as one-sided non-inferiority tests of the relative change at the margin, read with the engine:
 * fixed-horizon and Bayesian (flat prior: P(within the margin) ≥ 1 − α is the same normal bound) by the (1 − α) bound,
 * sequential by the one-sided always-valid bound. One row per guardrail and treatment, always: "not measurable" with
 * the reason when the metric cannot be read.
 */
function evaluateGuardrails(
  design: Design,
  treatmentNames: string[],
  engineMetrics: ResultsAnalysis["engineMetrics"],
  pairs: Record<MetricKey, { pairs: MetricPair[] | null; reason: string | null }>,
  settings: EngineSettings,
): GuardrailResult[] {
  const out: GuardrailResult[] = [];
  for (const g of design.guardrails) {
    const key: MetricKey = g.metric === "refund_rate" ? "refundRate" : "aov";
    const higherIsWorse = g.metric === "refund_rate";
    treatmentNames.forEach((arm, i) => {
      const row = (
        estimate: number | null,
        bound: number | null,
        verdict: GuardrailResult["verdict"],
        reason: string | null,
      ) => {
        out.push({ arm, metric: g.metric, margin: g.margin, estimate, bound, verdict, reason });
      };
      const pair = pairs[key].pairs?.[i];
      const shown = engineMetrics[key].comparisons?.[i];
      if (!pair || !shown) return row(null, null, "not-measurable", pairs[key].reason);
      if (shown.relative.reason) return row(null, null, "not-measurable", shown.relative.reason);
      if (settings.engine === "sequential") {
        const upper = compareWithEngine(pair, { ...settings, sides: 1, inverse: true }).relative; // (−∞, Δ + hw₁]
        const lower = compareWithEngine(pair, { ...settings, sides: 1, inverse: false }).relative; // [Δ − hw₁, ∞)
        const hi = upper.ci?.[1] ?? null;
        const lo = lower.ci?.[0] ?? null;
        if (hi === null || lo === null)
          return row(null, null, "not-measurable", upper.reason ?? lower.reason ?? REASONS.zeroVariance);
        const verdict = higherIsWorse
          ? hi < g.margin
            ? "pass"
            : lo > g.margin
              ? "fail"
              : "inconclusive"
          : lo > -g.margin
            ? "pass"
            : hi < -g.margin
              ? "fail"
              : "inconclusive";
        return row(upper.estimate!, higherIsWorse ? hi : lo, verdict, null);
      }
      const fixed = compareWithEngine(pair, { ...settings, engine: "fixed" }).relative;
      const r = guardrail(
        { estimate: fixed.estimate!, ci: fixed.ci as [number, number], pValue: fixed.pValue ?? 1 },
        g.margin,
        higherIsWorse,
        settings.alpha,
      );
      row(fixed.estimate, r.bound, r.verdict, null);
    });
  }
  return out;
}

const pct = signedPercentText;
const share = (x: number) => `${Math.round(x * 100)}%`;
const count = (n: number) => Math.round(n).toLocaleString("en-GB");
const GUARD_NAMES = { refund_rate: "refund rate", aov: "AOV" } as const;

/** The engine's reading of one treatment's primary metric, in words a marketer reads. */
function headlineOf(
  c: ResultsAnalysis["primary"]["comparisons"][number],
  metric: string,
  control: string,
  alpha: number,
  engine: Engine,
): string {
  const r = c.relative;
  if (r.reason) return `${c.arm}: ${metric} cannot be compared — ${r.reason}.`;
  const ci = r.ci!;
  const interval =
    `${share(1 - alpha)} ` +
    `${engine === "bayesian" ? "credible" : engine === "sequential" ? "always-valid" : "confidence"} ` +
    `interval ${liftLower(ci[0], (x) => pct(x))} to ${ci[1] === null ? "+∞" : pct(ci[1])}`;
  if (engine === "bayesian") {
    const ctw = r.chanceToWin!;
    const lossIfWorse = 1 - ctw > 1e-12 ? r.risk![1] / (1 - ctw) : 0;
    return (
      `${Math.round(ctw * 100)}% chance that ${c.arm} beats ${control} on ${metric} (lift ` +
      `${pct(r.estimate!)}, ${interval}); if you ship it and it is worse, you lose ` +
      `${Math.abs(lossIfWorse * 100).toFixed(1)}% on average (expected loss ${Math.abs(r.risk![1] * 100).toFixed(2)}%).`
    );
  }
  const p = c.adjustedP;
  return (
    `${c.arm}: ${metric} ${pct(r.estimate!)} (${interval}), p ${p === null ? "–" : p.toPrecision(3)}: ` +
    `${c.significant ? "significant" : "not significant"} at α ${alpha}${c.significant ? "" : " — the interval includes 0"}.`
  );
}

/** The engine's sizing of the primary metric: control customers needed for the planned MDE, and what n can detect. */
function sizing(
  design: Design,
  arms: ArmStats[],
  settings: EngineSettings,
): { needed: number | null; detectable: (n: number) => number | null; baseline: number | null } {
  const [control, ...treatments] = arms;
  const ratio = Math.min(...treatments.map((t) => t.users)) / control.users;
  const s = design.stats;
  let mean: number;
  let varianceControl: number;
  let varianceTreatment: number;
  if (design.primaryMetric === "conversion") {
    mean = control.conversions / control.users;
    if (!(mean > 0 && mean < 1)) return { needed: null, detectable: () => null, baseline: null };
    const target = Math.min(0.999999, s.relative ? mean * (1 + s.mde) : mean + s.mde);
    varianceControl = mean * (1 - mean);
    varianceTreatment = target * (1 - target);
  } else if (design.primaryMetric === "revenue") {
    mean = control.revenueSum / control.users;
    varianceControl = (control.revenueSquares - control.revenueSum ** 2 / control.users) / (control.users - 1);
    varianceTreatment = varianceControl;
    if (!(varianceControl > 0)) return { needed: null, detectable: () => null, baseline: null };
  } else return { needed: null, detectable: () => null, baseline: null }; // AOV: an order-level variance would be needed
  const effect = s.relative ? s.mde * Math.abs(mean) : s.mde;
  const relativeOf = (abs: number) => (mean !== 0 ? abs / Math.abs(mean) : null);
  if (settings.engine === "fixed") {
    const common = {
      mde: s.mde,
      relative: s.relative,
      alpha: s.alpha,
      power: s.power,
      sides: s.sides,
      ratio,
      arms: treatments.length,
    };
    const input: PowerInput =
      design.primaryMetric === "conversion"
        ? { ...common, metric: "proportion", baseline: mean, method: s.method === "arcsine" ? "arcsine" : "pooled" }
        : { ...common, metric: "mean", mean, sd: Math.sqrt(varianceControl), method: s.method === "z" ? "z" : "t" };
    const safe = <T>(f: () => T): T | null => {
      try {
        return f();
      } catch {
        return null;
      }
    };
    return {
      needed: safe(() => analysePower(input).nControl),
      detectable: (n) => (n >= 2 ? safe(() => relativeOf(mdeAt(input, n))) : null),
      baseline: mean,
    };
  }
  const input: SizingInput = {
    engine: settings.engine,
    alpha: s.alpha,
    power: s.power,
    tuning: settings.tuning!,
    varianceControl,
    varianceTreatment,
    ratio,
  };
  return {
    needed: customersNeeded(input, effect),
    detectable: (n) =>
      n >= 2 ? relativeOf(detectableEffect({ ...input, varianceTreatment: varianceControl }, n)) : null,
    baseline: mean,
  };
}

/**
 * The four outcomes, in this order (the README's table):
 * 1. sample ratio mismatch → can't be decided (fix the assignment);
 * 2. a treatment wins (fixed/sequential: interval above 0, p < α after correction; Bayesian: chance to win ≥ 1 − α)
 *    with no guardrail failed → Ship the best; a winner whose guardrail failed, or a treatment that loses and none
 *    wins → Don't ship;
 * 3. interim measured results → Keep running for the days of the window left;
 * 4. otherwise the engine's sample size for the planned MDE: reached → Don't ship (no lift as large as the MDE);
 *    missing customers the assignment can still give → Keep running; more than it can give → can't be decided, with
 *    the smallest effect the whole audience can detect.
 */
function decide(
  design: Design,
  arms: ArmStats[],
  primary: ResultsAnalysis["primary"],
  srm: ResultsAnalysis["srm"],
  guardrails: GuardrailResult[],
  settings: EngineSettings,
  opts: AnalysisOptions,
): Decision {
  const alpha = design.stats.alpha;
  const metricName =
    design.primaryMetric === "conversion"
      ? "conversion"
      : design.primaryMetric === "revenue"
        ? "revenue per customer"
        : "AOV";
  const headline = primary.comparisons.map((c) => headlineOf(c, metricName, arms[0].name, alpha, settings.engine));
  const assigned = opts.assigned && opts.assigned.length === arms.length ? opts.assigned : null;
  const capacityLeft = assigned ? Math.max(0, Math.min(...assigned.map((n, i) => n - arms[i].users))) : null;
  const base = { headline, extraPerArm: null, daysLeft: null, capacityLeft, smallestDetectable: null };
  if (srm.flagged) {
    return {
      ...base,
      verdict: "cannot-decide",
      arm: null,
      reasons: [
        `Sample ratio mismatch: arm sizes ${arms.map((a) => count(a.users)).join(" / ")} against the planned ` +
          `${design.arms.map((a) => share(a.share)).join(" / ")} (χ² p = ${srm.pValue.toExponential(2)}). The ` +
          `assignment or the tracking is broken: fix it before reading any result.`,
      ],
    };
  }
  const reasons: string[] = [];
  if (primary.comparisons.length > 1 && settings.engine === "fixed")
    reasons.push(
      `p-values adjusted for ${primary.comparisons.length} treatments by ${primary.correction === "holm" ? "Holm" : "Benjamini–Hochberg"}.`,
    );
  for (const g of guardrails) {
    const what =
      `${g.arm}: guardrail ${GUARD_NAMES[g.metric]} ` +
      `(${g.metric === "refund_rate" ? "may not rise more than" : "may not fall more than"} ${share(g.margin)})`;
    reasons.push(
      g.verdict === "not-measurable"
        ? `${what} not measurable: ${g.reason}.`
        : `${what} ` +
            `${g.verdict === "pass" ? "passed" : g.verdict === "fail" ? "failed" : "not yet conclusive"}: change ` +
            `${pct(g.estimate!)}, ${settings.engine === "sequential" ? "always-valid" : share(1 - alpha)} bound ${pct(g.bound!)}.`,
    );
  }
  const guardsOf = (arm: string) => guardrails.filter((g) => g.arm === arm);
  const winners = primary.comparisons.filter((c) => c.wins);
  const shippable = winners.filter((c) => guardsOf(c.arm).every((g) => g.verdict !== "fail"));
  if (shippable.length) {
    const best = shippable.reduce((a, b) => (b.relative.estimate! > a.relative.estimate! ? b : a));
    const unchecked = guardsOf(best.arm).filter((g) => g.verdict !== "pass");
    if (unchecked.length)
      reasons.push(
        `Before shipping, check what the guardrail${unchecked.length > 1 ? "s" : ""} could not settle: ${unchecked.map((g) => GUARD_NAMES[g.metric]).join(", ")}.`,
      );
    return { ...base, verdict: "ship", arm: best.arm, reasons };
  }
  const losers = primary.comparisons.filter((c) => c.loses);
  if (winners.length) {
    reasons.push(`${winners.map((w) => w.arm).join(", ")} improved the ${metricName} but failed a guardrail.`);
    return { ...base, verdict: "dont-ship", arm: null, reasons };
  }
  if (losers.length && losers.length === primary.comparisons.length) {
    reasons.push(`Every treatment did worse than ${arms[0].name}.`);
    return { ...base, verdict: "dont-ship", arm: null, reasons };
  }
  if (opts.interim) {
    const daysLeft = Math.max(0, opts.interim.windowDays - opts.interim.daysObserved);
    reasons.push(
      `Interim reading (day ${opts.interim.daysObserved} of ${opts.interim.windowDays}), with the ` +
        `always-valid sequential interval: looking early is safe, and no treatment is decided yet.`,
    );
    return { ...base, verdict: "keep-running", arm: null, reasons, daysLeft };
  }
  const { needed, detectable, baseline } = sizing(design, arms, settings);
  // the card re-sizes on the observed control baseline, so it names it beside the design's back-tested figure (issue 11)
  const level = (x: number) => (design.primaryMetric === "conversion" ? `${(x * 100).toFixed(1)}%` : x.toFixed(2));
  const observed =
    baseline === null
      ? ""
      : `at the observed ${arms[0].name} ${design.primaryMetric === "conversion" ? "rate" : "revenue per customer"} of ${level(baseline)}, `;
  const planned = opts.planned
    ? ` (the design planned ${count(opts.planned.perArm)} from the back-tested ${level(opts.planned.baseline)})`
    : "";
  const current = arms[0].users;
  const reachable = assigned ? assigned[0] : null;
  const smallest = reachable !== null ? detectable(reachable) : null;
  const mdeText = design.stats.relative ? share(design.stats.mde) : `${design.stats.mde}`;
  if (needed === null) {
    reasons.push(
      `The ${metricName} has no spread to size the test on, so the customers still needed cannot be computed.`,
    );
    return { ...base, verdict: "cannot-decide", arm: null, reasons, smallestDetectable: smallest };
  }
  const extra = Math.max(0, needed - current);
  if (extra === 0) {
    reasons.push(
      `The test has the ${count(needed)} customers per arm that, ${observed}the planned MDE of ${mdeText} ` +
        `needs at power ${share(design.stats.power)}${planned}, and found no ` +
        `${settings.engine === "bayesian" ? "treatment with a " + share(1 - alpha) + " chance to win" : "significant lift"}: ` +
        `any lift is smaller than the MDE.`,
    );
    return { ...base, verdict: "dont-ship", arm: null, reasons };
  }
  if (capacityLeft !== null && extra > capacityLeft) {
    reasons.push(
      `${observed ? observed[0].toUpperCase() + observed.slice(1) + "the" : "The"} planned MDE of ` +
        `${mdeText} needs ${count(needed)} customers per arm${planned}; the frozen assignment holds ` +
        `${count(reachable!)} in ${arms[0].name}${capacityLeft > 0 ? `, and can add only ${count(capacityLeft)} more` : ", all of them already measured"}.`,
      smallest === null
        ? "No effect is detectable with the whole audience."
        : `With the whole audience the smallest detectable lift is ${pct(smallest)} (power ` +
            `${share(design.stats.power)}). Decide on the interval, or design a bigger test.`,
    );
    return { ...base, verdict: "cannot-decide", arm: null, reasons, smallestDetectable: smallest };
  }
  reasons.push(
    `${observed ? observed[0].toUpperCase() + observed.slice(1) + "the" : "The"} planned MDE of ` +
      `${mdeText} needs ${count(needed)} customers per arm${planned}: ${count(extra)} more customers per ` +
      `arm reach the planned MDE of ${mdeText} at power ${share(design.stats.power)}${capacityLeft !== null ? `; the assignment can still add ${count(capacityLeft)}` : ""}.`,
  );
  return { ...base, verdict: "keep-running", arm: null, reasons, extraPerArm: extra };
}

/**
 * Reading recorded results of an experiment (for the measured helper, #13): `interim` while fewer than W days are
 * observed, which reads them with the sequential engine; `assigned` is the frozen assignment per arm.
 */
export function analyseRecorded(
  design: Design,
  arms: ArmStats[],
  options: {
    outcomes?: CustomerOutcome[] | null;
    assigned?: number[] | null;
    interim?: { daysObserved: number; windowDays: number } | null;
    correction?: "holm" | "bh";
  } = {},
): ResultsAnalysis {
  return analyseResults(design, arms, options.outcomes ?? null, {
    correction: options.correction,
    assigned: options.assigned,
    interim: options.interim,
  });
}

// the same under every engine
const KEEP_RUNNING_RULE =
  "Undecided, and the assignment can still give the customers the planned MDE needs (shown), " +
  "or an interim reading has days of the window left.";
const CANNOT_DECIDE_RULE =
  "Undecided, and the planned MDE needs more customers than the whole audience: the smallest effect it can detect " +
  "is shown. Also on a sample ratio mismatch.";

/** The decision rules, per engine, as the results page and the README show them (one definition: `decide` above). */
export const DECISION_RULES: { outcome: string; fixed: string; sequential: string; bayesian: string }[] = [
  {
    outcome: "Ship",
    fixed:
      "A treatment's interval on the relative lift lies above 0 and its p-value (Holm-adjusted for several treatments) is below α; no guardrail failed.",
    sequential: "A treatment's always-valid interval lies above 0 (p < α); no guardrail failed. Safe at any look.",
    bayesian: "A treatment's chance to win is at least 1 − α (95%); no guardrail failed. The expected loss is shown.",
  },
  {
    outcome: "Don't ship",
    fixed:
      "Every treatment's interval lies below 0, or the winner failed a guardrail, or the planned sample was reached with no significant lift.",
    sequential:
      "Every treatment's always-valid interval lies below 0, or the winner failed a guardrail, or the planned sample was reached with no significant lift.",
    bayesian:
      "Every treatment's chance to win is at most α, or the winner failed a guardrail, or the planned sample was reached without a 95% chance to win.",
  },
  {
    outcome: "Keep running",
    fixed: KEEP_RUNNING_RULE,
    sequential: KEEP_RUNNING_RULE,
    bayesian: KEEP_RUNNING_RULE,
  },
  {
    outcome: "Stop: can't be decided",
    fixed: CANNOT_DECIDE_RULE,
    sequential: CANNOT_DECIDE_RULE,
    bayesian: CANNOT_DECIDE_RULE,
  },
];
