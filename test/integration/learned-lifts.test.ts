import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { archiveExperiment, decideExperiment, proposedDecision, stopExperiment } from "~/experiments/lifecycle.server";
import { recordAggregates, recordSimulation } from "~/experiments/results.server";
import { experimentLifts, learnedLift, learnedPlan, planCandidates } from "~/planning/plan.server";
import type { SegmentName } from "~/segments/rfm";
import type { CAMPAIGN_TYPES, ExperimentAudience } from "~/experiments/design";
import { chosenK, personaNames } from "~/segments/store.server";

type CampaignType = (typeof CAMPAIGN_TYPES)[number];
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { importForTest, tempDb } from "../support/db";

// Learned lifts (issue #11 item 5) from a real database: only completed, unarchived experiments with real results;
// shrunk toward 0; a rehearsal never reaches the plan or ROI; no learned lift → "test first"; borrowing is marked.

describe("learned lifts in the plan", () => {
  let t: ReturnType<typeof tempDb>;
  let datasetId: number;
  const ids: Record<string, number> = {};
  const start = (name: string, segment: SegmentName) => {
    const id = saveExperiment(t.db, datasetId, {
      ...DEFAULT_DESIGN,
      name,
      campaignType: "reactivation discount",
      audience: { kind: "segment", segment },
    });
    startExperiment(t.db, id, { minPerArm: 2 }); // tests-only: small demo segments
    return id;
  };
  // revenue per customer 10.00 (sd 20) in control against 12.00 (sd 22) in treatment, 400 per arm
  const real = [
    { users: 400, conversions: 80, revenueSum: 4000, revenueSquares: 400 * 100 + 399 * 400, orders: 90, refunded: 40 },
    { users: 400, conversions: 96, revenueSum: 4800, revenueSquares: 400 * 144 + 399 * 484, orders: 110, refunded: 40 },
  ];

  beforeAll(async () => {
    t = tempDb();
    const file = join(t.dir, "demo.csv");
    await writeDemoCsv(file, { lines: 60_000, seed: 4 });
    datasetId = await importForTest(t.db, file);
    // A: real typed results on At Risk, decided → completed
    ids.real = start("At Risk win-back", "At Risk");
    recordAggregates(t.db, ids.real, real);
    decideExperiment(t.db, ids.real, proposedDecision(t.db, ids.real)!);
    // B: a rehearsal with a huge simulated lift on Hibernating, stopped → completed but only simulated
    ids.rehearsal = start("Hibernating rehearsal", "Hibernating");
    recordSimulation(t.db, ids.rehearsal, { seed: 1, conversionLift: [3], revenueLift: [5] });
    stopExperiment(t.db, ids.rehearsal, "rehearsal only");
    // C: real results, completed, then archived
    ids.archived = start("Can't Lose Them, archived", "Can't Lose Them");
    recordAggregates(t.db, ids.archived, real);
    decideExperiment(t.db, ids.archived, proposedDecision(t.db, ids.archived)!);
    archiveExperiment(t.db, ids.archived);
    // D: real results, still running (not decided)
    ids.running = start("Hibernating, running", "Hibernating");
    recordAggregates(t.db, ids.running, real);
  });
  afterAll(() => t.cleanup());

  it("learns only from completed, unarchived experiments with real results", () => {
    expect(experimentLifts(t.db, datasetId).map((l) => l.id)).toEqual([ids.real]);
  });

  it("shrinks the lift toward 0 by the empirical-Bayes posterior, with its interval", () => {
    const learned = learnedLift(t.db, datasetId, "reactivation discount", "At Risk")!;
    // y = 12/10 − 1 = 0.2 and its delta-method variance from the typed sums (STATS-BAYES-SEQUENTIAL.md §2), by hand
    const [c, tr] = real;
    const vc = (c.revenueSquares - c.revenueSum ** 2 / c.users) / (c.users - 1);
    const vt = (tr.revenueSquares - tr.revenueSum ** 2 / tr.users) / (tr.users - 1);
    const mc = c.revenueSum / c.users;
    const mt = tr.revenueSum / tr.users;
    const y = (mt - mc) / mc;
    const s2 = vt / (tr.users * mc ** 2) + (vc * mt ** 2) / (c.users * mc ** 4);
    const tau2 = Math.max(0, y * y - s2);
    expect(learned.raw.estimate).toBeCloseTo(0.2, 12);
    expect(learned.tau2).toBeCloseTo(tau2, 12);
    expect(learned.estimate).toBeCloseTo((y * tau2) / (tau2 + s2), 12);
    expect(learned.estimate).toBeLessThan(learned.raw.estimate);
    expect(learned.ci[0]).toBeLessThan(learned.estimate);
    expect(learned).toMatchObject({ borrowed: false, experiments: [{ id: ids.real, audience: "At Risk" }] });
  });

  it("a rehearsal never reaches Plan or ROI; a segment without its own lift is 'test first' unless the user borrows", () => {
    expect(learnedLift(t.db, datasetId, "reactivation discount", "Hibernating")).toBeNull();
    const plan = planCandidates(t.db, datasetId);
    expect(plan.candidates.map((c) => c.name)).toEqual(["At Risk × reactivation discount"]);
    const hibernating = plan.testFirst.find((x) => x.segment === "Hibernating")!;
    expect(hibernating).toMatchObject({ campaignType: "reactivation discount" });
    expect(hibernating.perArm!).toBeGreaterThan(1);
    expect(hibernating.total).toBe(2 * hibernating.perArm!);
    // never sized below the default MDE (issue 11: a 0.0% break-even lift sized 1.6 billion per arm)
    for (const x of plan.testFirst) expect(x.testLift).toBeGreaterThanOrEqual(0.1);
    expect(hibernating.note).toContain(`${hibernating.perArm!.toLocaleString("en-GB")} customers per arm`);
    const atRisk = plan.candidates[0];
    expect(atRisk.profitRange[0]).toBeLessThanOrEqual(atRisk.profitRange[1]); // the profit at the interval's ends

    const borrowed = planCandidates(t.db, datasetId, { borrow: true });
    const h = borrowed.candidates.find((x) => x.audienceKey === "Hibernating")!;
    expect(h.learned).toMatchObject({ borrowed: true, experiments: [{ id: ids.real }] });
    expect(h.learned.experiments.map((e) => e.id)).not.toContain(ids.rehearsal);
    // the allocator funds only candidates with a learned lift
    const funded = learnedPlan(t.db, datasetId, 1e9, false);
    expect(funded.allocations.map((a) => a.name)).toEqual(["At Risk × reactivation discount"]);
    expect(funded.testFirst.length).toBe(plan.testFirst.length);
  });

  it("CLI plan --learned [--borrow]: the same plan, with test-first candidates and borrowed lifts marked", () => {
    t.db.$client.pragma("wal_checkpoint(FULL)");
    const own = JSON.parse(cli(["plan", "--budget", "1000", "--learned", "--db", t.path, "--json"]).stdout);
    expect(own.candidates.map((c: { name: string }) => c.name)).toEqual(["At Risk × reactivation discount"]);
    expect(own.testFirst.some((x: { segment: string }) => x.segment === "Hibernating")).toBe(true);
    const text = cli(["plan", "--budget", "1000", "--learned", "--borrow", "--db", t.path]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Hibernating × reactivation discount +lift .*BORROWED/);
    const bad = cli(["plan", "--budget", "1000", "--learned", "--input", "x.json", "--db", t.path]);
    expect(bad.code).toBe(2);
  });

  // last: it adds experiments, which move τ² for the tests above
  it("a completed real experiment on any other pair (a persona, a segment off the defaults) becomes a candidate", () => {
    const persona = personaNames(t.db, datasetId, chosenK(t.db, datasetId))[0];
    const complete = (name: string, audience: ExperimentAudience, campaignType: CampaignType, rehearsal = false) => {
      const id = saveExperiment(t.db, datasetId, { ...DEFAULT_DESIGN, name, campaignType, audience });
      startExperiment(t.db, id, { minPerArm: 2 });
      if (rehearsal) {
        recordSimulation(t.db, id, { seed: 2, conversionLift: [1], revenueLift: [1] });
        stopExperiment(t.db, id, "rehearsal only");
      } else {
        recordAggregates(t.db, id, real);
        decideExperiment(t.db, id, proposedDecision(t.db, id)!);
      }
    };
    complete(
      "Persona push",
      { kind: "persona", k: persona.k, cluster: persona.cluster, name: persona.name },
      "personalised push",
    );
    complete("Promising custom", { kind: "segment", segment: "Promising" }, "custom");
    complete(
      "Persona banner rehearsal",
      { kind: "persona", k: persona.k, cluster: persona.cluster, name: persona.name },
      "recommendation banner",
      true,
    );
    const plan = planCandidates(t.db, datasetId);
    const personaRow = plan.candidates.find((c) => c.audienceKey === `persona ${persona.name}`)!;
    expect(personaRow).toMatchObject({ campaignType: "personalised push", learned: { borrowed: false } });
    expect(personaRow.name).toMatch(new RegExp(`${persona.name}.* × personalised push$`));
    expect(personaRow.audience).toBeGreaterThan(0);
    expect(plan.candidates.find((c) => c.name === "Promising × custom")).toBeDefined();
    expect(
      plan.candidates.some((c) => c.campaignType === "recommendation banner" && c.audienceKey.startsWith("persona")),
    ).toBe(false);
    expect(learnedPlan(t.db, datasetId, 1e9, false).allocations.map((a) => a.name)).toContain("Promising × custom");
  });
});
