import type { Db } from "~/db/db.server";
import { scopeOf } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { memo } from "~/analytics/memo.server";
import { monthly } from "~/analytics/monthly";
import { backtest } from "~/experiments/backtest";
import { CAMPAIGN_TYPES } from "~/experiments/design";
import { listExperiments } from "~/experiments/experiments.server";
import { experimentAnalysis } from "~/experiments/results.server";
import { qnorm } from "~/experiments/stats/distributions";
import { ensureSegments } from "~/segments/compute.server";
import type { SegmentName } from "~/segments/rfm";
import type { Candidate } from "./allocate";
import { ASSUMED_LIFT, campaignCosts, GROSS_MARGIN } from "./assumptions";

// Inputs of the plan: candidate campaigns with their audience sizes, baseline values (back-tested) and expected lifts
// (learned from completed experiments of the same campaign type when there are any, else an assumption, marked so).

export type LearnedLift = { estimate: number; ci: [number, number]; experiments: { id: number; name: string; segment: string | null }[] } | null;

/** Relative lift in revenue per customer of completed experiments of one campaign type, inverse-variance pooled. */
export function learnedLift(db: Db, datasetId: number, campaignType: string, segment?: SegmentName): LearnedLift {
  const z = qnorm(0.975);
  const found: { id: number; name: string; segment: string | null; estimate: number; se: number }[] = [];
  for (const e of listExperiments(db, datasetId, "completed")) {
    if (e.design.campaignType !== campaignType) continue;
    const analysis = experimentAnalysis(db, e.id)?.analysis;
    const comparison = analysis?.metrics.revenue[0];
    if (!comparison) continue;
    const se = (comparison.relative.ci[1] - comparison.relative.ci[0]) / (2 * z);
    if (!(se > 0)) continue;
    found.push({ id: e.id, name: e.name, segment: e.design.audience.kind === "segment" ? e.design.audience.segment : null, estimate: comparison.relative.estimate, se });
  }
  const similar = segment ? found.filter((f) => f.segment === segment) : [];
  const use = similar.length ? similar : found;
  if (!use.length) return null;
  const weights = use.map((f) => 1 / f.se ** 2);
  const total = weights.reduce((a, b) => a + b, 0);
  const estimate = use.reduce((s, f, i) => s + f.estimate * weights[i], 0) / total;
  const se = Math.sqrt(1 / total);
  return { estimate, ci: [estimate - z * se, estimate + z * se], experiments: use.map(({ id, name, segment: s }) => ({ id, name, segment: s })) };
}

/** The segment → campaign pairs the plan starts from (what each segment's "what to do" suggests). */
const DEFAULT_PAIRS: [SegmentName, (typeof CAMPAIGN_TYPES)[number]][] = [
  ["Champions", "recommendation banner"],
  ["Loyal Customers", "personalised push"],
  ["Potential Loyalists", "homepage personalisation"],
  ["New Customers", "personalised push"],
  ["Need Attention", "personalised push"],
  ["At Risk", "reactivation discount"],
  ["Can't Lose Them", "reactivation discount"],
  ["Hibernating", "reactivation discount"],
];

export type PlanCandidate = Candidate & { segment: SegmentName; campaignType: string; learned: LearnedLift };

export function defaultCandidates(db: Db, datasetId: number, windowDays = 30): PlanCandidate[] {
  ensureSegments(db, datasetId);
  const facts = getFacts(db, datasetId);
  const counts = new Map((db.$client.prepare("SELECT segment, COUNT(*) FROM customer_rfm WHERE dataset_id = ? GROUP BY segment").raw().all(datasetId) as [string, number][]));
  return memo(`plan-candidates:${datasetId}:${windowDays}:${counts.size}:${listExperiments(db, datasetId, "completed").length}`, () =>
    DEFAULT_PAIRS.filter(([s]) => (counts.get(s) ?? 0) > 0).map(([segment, campaignType]) => {
      const b = backtest(facts, { kind: "segment", segment }, windowDays, undefined, null).baselines;
      const learned = learnedLift(db, datasetId, campaignType, segment);
      return {
        name: `${segment} × ${campaignType}`,
        segment,
        campaignType,
        audience: counts.get(segment) ?? 0,
        ...campaignCosts(campaignType),
        valuePerCustomer: Math.round((b.revenueMean ?? 0) * 100) / 100,
        lift: learned ? Math.round(learned.estimate * 10000) / 10000 : ASSUMED_LIFT,
        grossMargin: GROSS_MARGIN,
        learned,
      };
    }),
  );
}

/** Months with the highest response: revenue per active customer, best first (seasonality-aware timing); months the data covers only in part are left out (issue 14). */
export function bestMonths(db: Db, datasetId: number, count = 3): { month: string; revenuePerCustomer: number; customers: number }[] {
  const facts = getFacts(db, datasetId);
  return monthly(facts, scopeOf(facts, {}))
    .filter((m) => m.customers > 0 && !m.partial)
    .map((m) => ({ month: m.month, revenuePerCustomer: m.revenue / m.customers, customers: m.customers }))
    .sort((a, b) => b.revenuePerCustomer - a.revenuePerCustomer)
    .slice(0, count);
}
