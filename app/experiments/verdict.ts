import type { Design } from "./design";
import { benjaminiHochberg, compareMeans, compareProportions, compareRatios, cuped, guardrail, holm, sampleRatioMismatch, type Comparison, type GuardrailVerdict, type RatioArm } from "./stats/analysis";
import { analysePower } from "./stats/power";

// From recorded results to a verdict (PRODUCT.md §4): per-arm metrics, comparisons with intervals, multiple-arm
// correction of the primary metric, SRM, guardrails, CUPED, and the decision with its reasons. Pure.

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

export type CustomerOutcome = { arm: number; converted: boolean; revenue: number; orders: number; refunded: number; preSpend: number };

export function armStatsFromOutcomes(names: string[], outcomes: CustomerOutcome[]): ArmStats[] {
  const arms: ArmStats[] = names.map((name) => ({ name, users: 0, conversions: 0, revenueSum: 0, revenueSquares: 0, orders: 0, refunded: 0, ordersSquares: 0, revenueOrders: 0, refundedSquares: 0, refundedRevenue: 0 }));
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
const aovArm = (a: ArmStats): RatioArm => ({ name: a.name, n: a.users, num: a.revenueSum, den: a.orders, numSquares: a.revenueSquares, denSquares: a.ordersSquares!, cross: a.revenueOrders! });
const refundArm = (a: ArmStats): RatioArm => ({ name: a.name, n: a.users, num: a.refunded, den: a.revenueSum, numSquares: a.refundedSquares!, denSquares: a.revenueSquares, cross: a.refundedRevenue! });
const revenueArm = (a: ArmStats) => ({ name: a.name, n: a.users, sum: a.revenueSum, sumSquares: a.revenueSquares });

export type Decision = { verdict: "ship" | "dont-ship" | "inconclusive"; arm: string | null; reasons: string[]; extraPerArm: number | null };

export type ResultsAnalysis = {
  arms: { name: string; users: number; conversion: number | null; revenuePerCustomer: number | null; aov: number | null; refundRate: number | null }[];
  metrics: { conversion: Comparison[]; revenue: Comparison[]; aov: Comparison[] | null; refundRate: Comparison[] | null };
  primary: { metric: Design["primaryMetric"]; correction: "holm" | "bh"; comparisons: (Comparison & { adjustedP: number; significant: boolean })[] };
  srm: { chi2: number; pValue: number; flagged: boolean };
  guardrails: { arm: string; metric: "refund_rate" | "aov"; margin: number; estimate: number; bound: number; verdict: GuardrailVerdict }[];
  cuped: { theta: number; varianceReduction: number; unadjusted: Comparison[]; adjusted: Comparison[] } | null;
  decision: Decision;
};

export function analyseResults(design: Design, arms: ArmStats[], outcomes: CustomerOutcome[] | null, correction: "holm" | "bh" = "holm"): ResultsAnalysis {
  const alpha = design.stats.alpha;
  const [control, ...treatments] = arms;
  const usable = arms.every((a) => a.users >= 2);
  if (!usable) throw new Error("Every arm needs at least 2 users");
  const detailed = arms.every(perCustomer) && arms.every((a) => a.orders > 0 && a.revenueSum > 0);
  const metrics = {
    conversion: treatments.map((t) => compareProportions({ name: control.name, users: control.users, conversions: control.conversions }, { name: t.name, users: t.users, conversions: t.conversions }, alpha)),
    revenue: treatments.map((t) => compareMeans(revenueArm(control), revenueArm(t), alpha)),
    aov: detailed ? treatments.map((t) => compareRatios(aovArm(control), aovArm(t), alpha)) : null,
    refundRate: detailed && control.refunded > 0 ? treatments.map((t) => compareRatios(refundArm(control), refundArm(t), alpha)) : null,
  };
  const primaryComparisons = design.primaryMetric === "conversion" ? metrics.conversion : design.primaryMetric === "revenue" ? metrics.revenue : metrics.aov;
  if (!primaryComparisons) throw new Error("Average order value needs per-customer results (upload or simulation), not aggregates");
  const raw = primaryComparisons.map((c) => c.absolute.pValue);
  const adjusted = treatments.length > 1 ? (correction === "holm" ? holm(raw) : benjaminiHochberg(raw)) : raw;
  const primary = { metric: design.primaryMetric, correction, comparisons: primaryComparisons.map((c, i) => ({ ...c, adjustedP: adjusted[i], significant: adjusted[i] < alpha })) };
  const srm = sampleRatioMismatch(arms.map((a) => a.users), design.arms.map((a) => a.share));

  const guardrails: ResultsAnalysis["guardrails"] = [];
  for (const g of design.guardrails) {
    const comparisons = g.metric === "refund_rate" ? metrics.refundRate : metrics.aov;
    comparisons?.forEach((c) => {
      const r = guardrail(c.relative, g.margin, g.metric === "refund_rate", alpha);
      guardrails.push({ arm: c.arm, metric: g.metric, margin: g.margin, estimate: c.relative.estimate, bound: r.bound, verdict: r.verdict });
    });
  }

  let cupedResult: ResultsAnalysis["cuped"] = null;
  if (outcomes && outcomes.length && design.primaryMetric !== "aov") {
    const y = outcomes.map((o) => (design.primaryMetric === "conversion" ? (o.converted ? 1 : 0) : o.revenue));
    const adjustedY = cuped(y, outcomes.map((o) => o.preSpend), outcomes.map((o) => o.arm));
    const sums = arms.map((a) => ({ name: a.name, n: 0, sum: 0, sumSquares: 0 }));
    outcomes.forEach((o, i) => {
      const s = sums[o.arm];
      s.n++;
      s.sum += adjustedY.adjusted[i];
      s.sumSquares += adjustedY.adjusted[i] ** 2;
    });
    const plain = arms.map((a, k) => ({ name: a.name, n: a.users, sum: outcomes.reduce((s, o) => s + (o.arm === k ? (design.primaryMetric === "conversion" ? (o.converted ? 1 : 0) : o.revenue) : 0), 0), sumSquares: outcomes.reduce((s, o) => s + (o.arm === k ? (design.primaryMetric === "conversion" ? (o.converted ? 1 : 0) : o.revenue ** 2) : 0), 0) }));
    cupedResult = {
      theta: adjustedY.theta,
      varianceReduction: adjustedY.varianceReduction,
      unadjusted: treatments.map((_, i) => compareMeans(plain[0], plain[i + 1], alpha)),
      adjusted: treatments.map((_, i) => compareMeans(sums[0], sums[i + 1], alpha)),
    };
  }

  return {
    arms: arms.map((a) => ({
      name: a.name,
      users: a.users,
      conversion: a.users ? a.conversions / a.users : null,
      revenuePerCustomer: a.users ? a.revenueSum / a.users : null,
      aov: a.orders ? a.revenueSum / a.orders : null,
      refundRate: a.revenueSum ? a.refunded / a.revenueSum : null,
    })),
    metrics,
    primary,
    srm,
    guardrails,
    cuped: cupedResult,
    decision: decide(design, arms, primary, srm, guardrails),
  };
}

/**
 * Ship the best treatment whose primary metric improved significantly (after correction) with every guardrail passed and
 * no sample ratio mismatch; don't ship when a treatment is significantly worse or fails a guardrail and none wins;
 * otherwise keep running, with the extra customers per arm that the planned MDE needs at the observed variance.
 */
function decide(design: Design, arms: ArmStats[], primary: ResultsAnalysis["primary"], srm: ResultsAnalysis["srm"], guardrails: ResultsAnalysis["guardrails"]): Decision {
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (srm.flagged) {
    return { verdict: "inconclusive", arm: null, extraPerArm: null, reasons: [`Sample ratio mismatch: arm sizes ${arms.map((a) => a.users).join(" / ")} against the planned ${design.arms.map((a) => pct(a.share)).join(" / ")} (χ² p = ${srm.pValue.toExponential(2)}). Fix the assignment before reading any result.`] };
  }
  const winners = primary.comparisons.filter((c) => c.significant && c.relative.estimate > 0);
  const losers = primary.comparisons.filter((c) => c.significant && c.relative.estimate < 0);
  for (const c of primary.comparisons) {
    reasons.push(`${c.arm}: ${primary.metric} ${c.relative.estimate >= 0 ? "+" : ""}${pct(c.relative.estimate)} relative (CI ${pct(c.relative.ci[0])} to ${pct(c.relative.ci[1])}), p ${c.adjustedP.toPrecision(3)}${arms.length > 2 ? ` after ${primary.correction === "holm" ? "Holm" : "Benjamini–Hochberg"}` : ""}: ${c.significant ? "significant" : "not significant"} at α ${design.stats.alpha}.`);
  }
  for (const g of guardrails) reasons.push(`${g.arm}: guardrail ${g.metric === "refund_rate" ? "refund rate" : "AOV"} ${g.verdict === "pass" ? "passed" : g.verdict === "fail" ? "failed" : "not yet conclusive"} (change ${pct(g.estimate)}, margin ${g.metric === "refund_rate" ? "+" : "−"}${pct(g.margin)}).`);
  const guardsOf = (arm: string) => guardrails.filter((g) => g.arm === arm);
  const shippable = winners.filter((c) => guardsOf(c.arm).every((g) => g.verdict === "pass"));
  if (shippable.length) {
    const best = shippable.reduce((a, b) => (b.relative.estimate > a.relative.estimate ? b : a));
    return { verdict: "ship", arm: best.arm, reasons, extraPerArm: null };
  }
  const failed = guardrails.some((g) => g.verdict === "fail" && winners.some((w) => w.arm === g.arm));
  if ((losers.length && !winners.length) || failed || (winners.length === 0 && guardrails.some((g) => g.verdict === "fail"))) {
    return { verdict: "dont-ship", arm: null, reasons, extraPerArm: null };
  }
  return { verdict: "inconclusive", arm: null, reasons, extraPerArm: extraNeeded(design, arms) };
}

/** Customers per arm still missing to reach the planned power for the planned MDE at the observed baseline and variance. */
export function extraNeeded(design: Design, arms: ArmStats[]): number | null {
  const [control, ...treatments] = arms;
  const ratio = Math.min(...treatments.map((t) => t.users)) / control.users;
  const common = { mde: design.stats.mde, relative: design.stats.relative, alpha: design.stats.alpha, power: design.stats.power, sides: design.stats.sides, ratio, arms: treatments.length };
  try {
    if (design.primaryMetric === "conversion") {
      const p = control.conversions / control.users;
      if (!(p > 0 && p < 1)) return null;
      return Math.max(0, analysePower({ ...common, metric: "proportion", baseline: p, method: design.stats.method === "arcsine" ? "arcsine" : "pooled" }).nControl - control.users);
    }
    if (design.primaryMetric === "aov") return null; // an order-level variance would be needed: not estimated here
    const mean = control.revenueSum / control.users;
    const sd = Math.sqrt(Math.max(0, (control.revenueSquares - control.revenueSum ** 2 / control.users) / (control.users - 1)));
    if (!(sd > 0)) return null;
    return Math.max(0, analysePower({ ...common, metric: "mean", mean, sd, method: design.stats.method === "z" ? "z" : "t" }).nControl - control.users);
  } catch {
    return null;
  }
}
