import type { Db } from "~/db/db.server";
import { personaCentroids, segmentCounts } from "~/segments/store.server";
import { audienceSize } from "~/segments/audiences.server";
import { ExperimentError, resolveAudience } from "~/experiments/experiments.server";
import { scopeOf, type Facts, type Scope } from "~/analytics/facts";
import type { WarehouseQuery, WarehouseSource } from "~/types/warehouse";
import { getFacts } from "~/analytics/facts.server";
import { historyOf } from "~/experiments/history.server";
import { boundsQuery, monthlyQuery, warehouseScope } from "~/analytics/warehouse-sql";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { runWarehouseSync } from "~/db/warehouse-sync.server";
import { memo } from "~/analytics/memo.server";
import { dataVersion } from "~/db/version.server";
import { monthly } from "~/analytics/monthly";
import { backtest } from "~/experiments/backtest";
import { CAMPAIGN_TYPES, type ExperimentAudience } from "~/experiments/design";
import { listExperiments, storedResults } from "~/experiments/store.server";
import { isRehearsal } from "~/experiments/results.server";
import { effectMoments, sampleMeanMoments } from "~/experiments/stats/effect";
import { analysePower } from "~/experiments/stats/power";
import type { SegmentName } from "~/segments/rfm";
import { allocateBudget, type Candidate } from "./allocate";
import { campaignCosts, GROSS_MARGIN, testFirstLift, testFirstNote } from "./assumptions";
import { pool, priorVariance, shrink, type ExperimentLift, type Shrunk } from "./learned";
import { campaignRoi } from "./roi";

// Inputs of the plan: candidate campaigns with their audience sizes, baseline values (back-tested) and expected lifts
// learned from completed experiments with real results (issue #11): pooled, shrunk toward 0 (learned.ts), with their
// interval; a lift learned on another audience is used only when the user borrows it, and is then marked borrowed. A
// candidate with no learned lift is never funded: it is listed "test first" with the size of the test it needs.

export type LearnedLift =
  | (Shrunk & {
      /** Learned on other audiences of the same campaign type (used only with "borrow"). */
      borrowed: boolean;
      experiments: { id: number; name: string; audience: string; estimate: number; se: number }[];
    })
  | null;

/** The key an experiment's audience is matched on: a segment's name, else the persona or saved audience. */
export function audienceKey(a: ExperimentAudience): string {
  return a.kind === "segment"
    ? a.segment
    : a.kind === "persona"
      ? `persona ${a.name ?? `${a.k}/${a.cluster}`}`
      : `audience ${a.id}`;
}

/**
 * The relative lift in revenue per customer (first treatment against control) of every experiment the plan may learn
 * from: completed, not archived, with real results (typed, uploaded or measured; never a rehearsal).
 */
export function experimentLifts(db: Db, datasetId: number): (ExperimentLift & { campaignType: string })[] {
  return learnableLifts(db, datasetId).map(({ target: _target, ...lift }) => lift); // eslint-disable-line @typescript-eslint/no-unused-vars
}

/** experimentLifts with each experiment's audience as designed: the plan adds a candidate for its own pair. */
function learnableLifts(
  db: Db,
  datasetId: number,
): (ExperimentLift & { campaignType: string; target: ExperimentAudience })[] {
  const out: (ExperimentLift & { campaignType: string; target: ExperimentAudience })[] = [];
  for (const e of listExperiments(db, datasetId, "completed")) {
    if (e.archivedAt) continue;
    const results = storedResults(db, e.id);
    if (!results || isRehearsal(results) || results.arms.length < 2) continue;
    const [c, t] = results.arms;
    const m = effectMoments(
      sampleMeanMoments(c.users, c.revenueSum, c.revenueSquares),
      sampleMeanMoments(t.users, t.revenueSum, t.revenueSquares),
      "relative",
    );
    if (!m.ok) continue;
    out.push({
      id: e.id,
      name: e.name,
      audience: audienceKey(e.design.audience),
      campaignType: e.design.campaignType,
      target: e.design.audience,
      estimate: m.delta,
      se: Math.sqrt(m.variance),
    });
  }
  return out;
}

/**
 * The learned lift of a campaign type on an audience: that audience's experiments pooled and shrunk; with `borrow`, the
 * type's experiments on other audiences when it has none (marked borrowed). τ² is estimated across every experiment.
 */
export function learnedLift(
  db: Db,
  datasetId: number,
  campaignType: string,
  audience?: string,
  options: { borrow?: boolean } = {},
): LearnedLift {
  return learnedFrom(experimentLifts(db, datasetId), campaignType, audience, options);
}

function learnedFrom(
  all: (ExperimentLift & { campaignType: string })[],
  campaignType: string,
  audience: string | undefined,
  options: { borrow?: boolean },
): LearnedLift {
  const ofType = all.filter((l) => l.campaignType === campaignType);
  const own = audience === undefined ? [] : ofType.filter((l) => l.audience === audience);
  const use = own.length ? own : options.borrow ? ofType : [];
  if (!use.length) return null;
  const shrunk = shrink(pool(use), priorVariance(all));
  return {
    ...shrunk,
    borrowed: !own.length,
    experiments: use.map(({ id, name, audience: a, estimate, se }) => ({ id, name, audience: a, estimate, se })),
  };
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

export type PlanCandidate = Candidate & {
  /** the audience as an experiment names it (audienceKey): a segment, "persona …" or "audience N" */
  audienceKey: string;
  campaignType: string;
  learned: NonNullable<LearnedLift>;
  profitRange: [number, number];
};
export type TestFirst = {
  name: string;
  segment: SegmentName;
  campaignType: string;
  audience: number;
  valuePerCustomer: number;
  breakEvenLift: number | null;
  testLift: number;
  perArm: number | null;
  total: number | null;
  fits: boolean;
  note: string;
};

/**
 * The pairs the plan weighs: the default segment × campaign pairs, then the pair of every completed experiment with
 * real results that is not one of them (a persona, a saved audience, another segment or campaign type), once each.
 */
function planPairs(
  lifts: ReturnType<typeof learnableLifts>,
): { target: ExperimentAudience; campaignType: string; fromExperiment: boolean }[] {
  const pairs = DEFAULT_PAIRS.map(([segment, campaignType]) => ({
    target: { kind: "segment", segment } as ExperimentAudience,
    campaignType: campaignType as string,
    fromExperiment: false,
  }));
  const seen = new Set(pairs.map((p) => `${audienceKey(p.target)}|${p.campaignType}`));
  for (const l of lifts) {
    const key = `${l.audience}|${l.campaignType}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ target: l.target, campaignType: l.campaignType, fromExperiment: true });
  }
  return pairs;
}

/** The default candidates: funded only with a learned lift (profit with its range at the interval's ends); the rest "test first". */
export function planCandidates(
  db: Db,
  datasetId: number,
  options: { borrow?: boolean; windowDays?: number } = {},
): { candidates: PlanCandidate[]; testFirst: TestFirst[] } {
  const windowDays = options.windowDays ?? 30;
  const history = historyOf(db, datasetId);
  const counts = segmentCounts(db, datasetId);
  const lifts = learnableLifts(db, datasetId);
  const baselines = memo(`plan-baselines:${datasetId}:${windowDays}:${[...counts].join(",")}:${history.lastDay}`, () =>
    Object.fromEntries(
      DEFAULT_PAIRS.filter(([s]) => (counts.get(s) ?? 0) > 0).map(([segment]) => [
        segment,
        backtest(history, { kind: "segment", segment }, windowDays, undefined, null).baselines,
      ]),
    ),
  );
  const candidates: PlanCandidate[] = [];
  const testFirst: TestFirst[] = [];
  const segmentPair = (segment: SegmentName) =>
    baselines[segment] ? { b: baselines[segment], audience: counts.get(segment) ?? 0, label: segment } : null;
  // any other audience (a persona, a saved audience, a segment off the default pairs): sized and back-tested as the
  // experiment form does; a saved audience deleted since is left out
  const otherPair = (target: ExperimentAudience) => {
    let resolved: ReturnType<typeof resolveAudience>;
    try {
      resolved = resolveAudience(db, target);
    } catch (err) {
      if (err instanceof ExperimentError) return null;
      throw err;
    }
    const { definition } = resolved;
    const audience = audienceSize(db, datasetId, definition).customers;
    if (audience === 0) return null;
    const centroids = definition.kind === "persona" ? personaCentroids(db, datasetId, definition.k) : null;
    const key = `plan-baselines:${datasetId}:${windowDays}:${JSON.stringify(definition)}:${audience}:${history.lastDay}`;
    const b = memo(key, () => backtest(history, definition, windowDays, undefined, centroids).baselines);
    return { b, audience, label: target.kind === "segment" ? target.segment : resolved.label };
  };
  for (const { target, campaignType, fromExperiment } of planPairs(lifts)) {
    const key = audienceKey(target);
    const sized = target.kind === "segment" && !fromExperiment ? segmentPair(target.segment) : otherPair(target);
    if (!sized) continue;
    const { b, audience, label } = sized;
    const costs = campaignCosts(campaignType);
    const valuePerCustomer = Math.round((b.revenueMean ?? 0) * 100) / 100;
    const learned = learnedFrom(lifts, campaignType, key, { borrow: options.borrow });
    const name = `${label} × ${campaignType}`;
    // a pair taken from an experiment is there for its own lift: without it (not computable) it is not a candidate
    if (fromExperiment && (!learned || learned.borrowed)) continue;
    if (learned) {
      const at = (lift: number) =>
        campaignRoi({
          audience,
          baselineValue: valuePerCustomer,
          lift,
          costPerContact: costs.costPerContact,
          discountShare: costs.discountShare,
          grossMargin: GROSS_MARGIN,
          windowDays,
        }).profit;
      candidates.push({
        name,
        audienceKey: key,
        campaignType,
        audience,
        ...costs,
        valuePerCustomer,
        lift: Math.round(learned.estimate * 10000) / 10000,
        grossMargin: GROSS_MARGIN,
        learned,
        profitRange: [at(learned.ci[0]), at(learned.ci[1])],
      });
      continue;
    }
    // the test that would teach this lift: sized to detect the break-even lift, never below the default MDE, on revenue per customer
    const breakEvenLift = campaignRoi({
      audience,
      baselineValue: valuePerCustomer,
      lift: 0,
      costPerContact: costs.costPerContact,
      discountShare: costs.discountShare,
      grossMargin: GROSS_MARGIN,
      windowDays,
    }).breakEvenLift;
    const testLift = testFirstLift(breakEvenLift);
    let perArm: number | null = null;
    if ((b.revenueMean ?? 0) > 0 && (b.revenueSd ?? 0) > 0) {
      try {
        perArm = analysePower({
          metric: "mean",
          mean: b.revenueMean!,
          sd: b.revenueSd!,
          mde: testLift,
          relative: true,
          alpha: 0.05,
          power: 0.8,
          sides: 2,
          ratio: 1,
          arms: 1,
          method: "t",
        }).nControl;
      } catch {
        perArm = null;
      }
    }
    if (target.kind !== "segment") continue; // only the default pairs, all segments, are tested first
    testFirst.push({
      name,
      segment: target.segment,
      campaignType,
      audience,
      valuePerCustomer,
      breakEvenLift,
      testLift,
      perArm,
      total: perArm === null ? null : 2 * perArm,
      fits: perArm !== null && 2 * perArm <= audience,
      note: testFirstNote(breakEvenLift, testLift, perArm),
    });
  }
  return { candidates, testFirst };
}

/**
 * A context figure over the whole data: in memory from an imported data set's facts (computed once per data version:
 * the second-purchase curve took 15–200 ms of each /recommendations render), or by its SQL builder in a warehouse data
 * set's PostgreSQL (issue 17), the same object either way.
 */
export function wholeDataFigure<T>(
  db: Db,
  datasetId: number,
  name: string,
  inMemory: (facts: Facts, scope: Scope) => T,
  inWarehouse: (source: WarehouseSource, scope: Scope) => WarehouseQuery<T>,
): T {
  const connection = warehouseConnection(db, datasetId);
  if (!connection) {
    const facts = getFacts(db, datasetId);
    return memo(`whole-data:${name}:${dataVersion(db, datasetId)}`, () => inMemory(facts, scopeOf(facts, {})));
  }
  const bounds = runWarehouseSync(connection.url, boundsQuery(connection.source));
  return runWarehouseSync(connection.url, inWarehouse(connection.source, warehouseScope(bounds, {})));
}

/** The data set's monthly trend. */
const monthsOf = (db: Db, datasetId: number) => wholeDataFigure(db, datasetId, "monthly", monthly, monthlyQuery);

/**
 * Months with the highest response: revenue per active customer, best first (seasonality-aware timing); months the
 * data covers only in part are left out (issue 14).
 */
export function bestMonths(
  db: Db,
  datasetId: number,
  count = 3,
): { month: string; revenuePerCustomer: number; customers: number }[] {
  return monthsOf(db, datasetId)
    .filter((m) => m.customers > 0 && !m.partial)
    .map((m) => ({ month: m.month, revenuePerCustomer: m.revenue / m.customers, customers: m.customers }))
    .sort((a, b) => b.revenuePerCustomer - a.revenuePerCustomer)
    .slice(0, count);
}

/** The plan of the data set's own candidates: the allocation of those with a learned lift, and the ones to test first. */
export function learnedPlan(db: Db, datasetId: number, budget: number, borrow: boolean) {
  const { candidates, testFirst } = planCandidates(db, datasetId, { borrow });
  const result = allocateBudget(budget, candidates);
  return {
    ...result,
    candidates: candidates.map((c) => ({
      name: c.name,
      audience: c.audience,
      lift: c.lift,
      liftInterval: c.learned.ci,
      rawLift: c.learned.raw.estimate,
      borrowed: c.learned.borrowed,
      experiments: c.learned.experiments.map((e) => e.name),
      profitRange: c.profitRange,
    })),
    testFirst,
  };
}
