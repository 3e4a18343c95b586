import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { ExperimentError, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { assignmentRows, getExperiment, listExperiments, storedOutcomes } from "~/experiments/store.server";
import { decideExperiment, proposedDecision } from "~/experiments/lifecycle.server";
import { experimentAnalysis, recordAggregates, recordSimulation, recordUpload } from "~/experiments/results.server";
import { experimentReport, reportRows } from "~/experiments/report.server";
import { learnedLift } from "~/planning/plan.server";
import { cli } from "../support/cli";
import { importGenerated, tempDb } from "../support/db";

describe("recording and analysing results", () => {
  let t: ReturnType<typeof tempDb>;
  let datasetId: number;
  const start = (over = {}) => {
    const id = saveExperiment(t.db, datasetId, {
      ...DEFAULT_DESIGN,
      name: "Champions early access",
      audience: { kind: "segment", segment: "Champions" },
      ...over,
    });
    startExperiment(t.db, id);
    return id;
  };
  beforeAll(async () => {
    t = tempDb();
    datasetId = await importGenerated(t, 120_000, 9);
  });
  afterAll(() => t.cleanup());

  it("refuses results before the start, and impossible counts", () => {
    const draft = saveExperiment(t.db, datasetId, { ...DEFAULT_DESIGN, name: "Draft" });
    expect(() => recordAggregates(t.db, draft, [])).toThrow(/Start the experiment before recording results/);
    const id = start();
    expect(() =>
      recordAggregates(t.db, id, [
        { users: 10, conversions: 1, revenueSum: 1, revenueSquares: 1, orders: 1, refunded: 0 },
      ]),
    ).toThrow(/Give results for the 2 arms/);
  });

  it("analyses typed counts: the published 500/10,000 vs 560/10,000 case", () => {
    const id = start();
    recordAggregates(t.db, id, [
      { users: 10_000, conversions: 500, revenueSum: 50_000, revenueSquares: 2_000_000, orders: 520, refunded: 500 },
      { users: 10_000, conversions: 560, revenueSum: 56_000, revenueSquares: 2_300_000, orders: 585, refunded: 560 },
    ]);
    const { analysis } = experimentAnalysis(t.db, id)!;
    expect(analysis!.metrics.conversion[0].absolute.pValue).toBeCloseTo(0.0582578, 7);
    expect(analysis!.metrics.aov).toBeNull(); // needs per-customer results
    // 10,000 typed per arm is more than the Champions assignment holds: nothing left to add, so it can't be decided
    expect(analysis!.decision).toMatchObject({ verdict: "cannot-decide", capacityLeft: 0, extraPerArm: null });
    expect(analysis!.decision.smallestDetectable).toBeGreaterThan(0);
    expect(analysis!.guardrails.map((g) => [g.metric, g.verdict])).toEqual([
      ["refund_rate", "not-measurable"],
      ["aov", "not-measurable"],
    ]);
    expect(getExperiment(t.db, id)!.status).toBe("running"); // recording never completes: the decision does
  });

  it("flags a sample ratio mismatch and withholds the verdict", () => {
    const id = start();
    recordAggregates(t.db, id, [
      { users: 10_000, conversions: 500, revenueSum: 50_000, revenueSquares: 2_000_000, orders: 520, refunded: 0 },
      { users: 10_500, conversions: 800, revenueSum: 56_000, revenueSquares: 2_300_000, orders: 820, refunded: 0 },
    ]);
    const { analysis } = experimentAnalysis(t.db, id)!;
    expect(analysis!.srm).toMatchObject({ flagged: true });
    expect(analysis!.srm.pValue).toBeCloseTo(0.00047915, 8);
    expect(analysis!.decision).toMatchObject({
      verdict: "cannot-decide",
      reasons: [expect.stringMatching(/^Sample ratio mismatch/)],
    });
  });

  it("checks an uploaded file against the assignment: refuses, or accepts with the problems reported", () => {
    const id = start();
    const rows = assignmentRows(t.db, id);
    const arm = (i: number) => (i === 0 ? "Control" : "Treatment");
    const lines = [
      "customer_id,arm,converted,revenue,orders,refunded",
      ...rows.map(
        (r, i) =>
          `${r.customerId},${arm(r.arm)},${i % 3 === 0 ? 1 : 0},${i % 3 === 0 ? 40 + (i % 7) : 0},${i % 3 === 0 ? 1 : 0},0`,
      ),
    ];
    const good = lines.join("\n");
    const bad = [
      ...lines,
      "99999999,Control,1,10,1,0",
      `${rows[0].customerId},${arm(rows[0].arm)},1,10,1,0`,
      `${rows[1].customerId},${arm(1 - rows[1].arm)},1,10,1,0`,
    ].join("\n");
    expect(() => recordUpload(t.db, id, bad, false)).toThrow(
      /3 line\(s\) do not match the assignment .*not in the experiment's assignment/,
    );
    expect(experimentAnalysis(t.db, id)).toBeNull(); // nothing recorded
    const accepted = recordUpload(t.db, id, bad, true);
    expect(accepted.problems.map((p) => p.problem)).toEqual([
      "not in the experiment's assignment",
      "duplicate customer",
      "duplicate customer",
    ]);
    const { results, analysis } = experimentAnalysis(t.db, id)!;
    expect(results.source).toBe("upload");
    expect(analysis!.arms.reduce((s, a) => s + a.users, 0)).toBe(rows.length);
    expect(recordUpload(t.db, id, good, false).problems).toEqual([]);
    expect(() => recordUpload(t.db, id, "id,arm\n1,Control", false)).toThrow(
      /The header must be customer_id,arm,converted,revenue,orders,refunded/,
    );
  });

  it("simulates from history, reproducibly, with the chosen true effect, and reports CUPED", () => {
    const id = start({ primaryMetric: "revenue", stats: { ...DEFAULT_DESIGN.stats, method: "t" } });
    recordSimulation(t.db, id, { seed: 5, conversionLift: [0.5], revenueLift: [0.2] });
    const first = JSON.stringify(storedOutcomes(t.db, id));
    recordSimulation(t.db, id, { seed: 5, conversionLift: [0.5], revenueLift: [0.2] });
    expect(JSON.stringify(storedOutcomes(t.db, id))).toBe(first);
    recordSimulation(t.db, id, { seed: 6, conversionLift: [0.5], revenueLift: [0.2] });
    expect(JSON.stringify(storedOutcomes(t.db, id))).not.toBe(first);
    const { analysis } = experimentAnalysis(t.db, id)!;
    const [control, treatment] = analysis!.arms;
    expect(treatment.conversion!).toBeGreaterThan(control.conversion!);
    expect(analysis!.cuped).not.toBeNull();
    expect(analysis!.cuped!.varianceReduction).toBeGreaterThanOrEqual(0);
    expect(() => recordSimulation(t.db, id, { seed: 1, conversionLift: [0.1, 0.2], revenueLift: [0] })).toThrow(
      ExperimentError,
    );
  });

  it("reports the design, results and decision as JSON rows and CSV, and through the CLI", () => {
    const id = start();
    recordSimulation(t.db, id, { seed: 3, conversionLift: [0.3], revenueLift: [0] });
    const report = experimentReport(t.db, id);
    expect(report).toMatchObject({
      experiment: { id, status: "running" },
      results: { source: "simulation", rehearsal: true },
      analysis: { decision: { verdict: expect.stringMatching(/^(ship|dont-ship|keep-running|cannot-decide)$/) } },
    });
    const rows = reportRows(report);
    expect(rows).toContainEqual(["decision", "verdict", report.analysis!.decision.verdict]);
    expect(rows).toContainEqual(["srm", "flagged", false]);
    t.db.$client.pragma("wal_checkpoint(FULL)");
    const out = cli(["analyze", "--experiment", String(id), "--db", t.path, "--json"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      source: "simulation",
      decision: { verdict: report.analysis!.decision.verdict },
    });
  });

  it("feeds the plan: completed experiments of a campaign type give its learned lift, pooled with its interval", () => {
    // completing is the decision (issue 16): decide every experiment with real results as its analysis proposes
    for (const e of listExperiments(t.db, datasetId, "running")) {
      const proposal = proposedDecision(t.db, e.id);
      if (proposal) decideExperiment(t.db, e.id, proposal);
    }
    // only real results count (typed and uploaded here; the simulations are rehearsals), pooled and shrunk toward 0
    const learned = learnedLift(t.db, datasetId, "reactivation discount", "Champions");
    expect(learned).not.toBeNull();
    expect(learned!.experiments.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(learned!.estimate)).toBeLessThanOrEqual(Math.abs(learned!.raw.estimate));
    expect(learned!.ci[0]).toBeLessThanOrEqual(learned!.estimate);
    expect(learned!.ci[1]).toBeGreaterThanOrEqual(learned!.estimate);
    expect(learnedLift(t.db, datasetId, "reactivation discount")).toBeNull(); // no audience: nothing to match without borrowing
    expect(learnedLift(t.db, datasetId, "custom", "Champions")).toBeNull();
  });

  it("CLI analyze --input: the published cases, and bad input", () => {
    const file = join(t.dir, "sets.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          metric: "proportion",
          arms: [
            { name: "control", users: 10_000, conversions: 500 },
            { name: "treatment", users: 10_000, conversions: 560 },
          ],
        },
        {
          metric: "mean",
          arms: [
            { name: "control", n: 3407, sum: 1396.87, sumSquares: 52377.9767 },
            { name: "treatment", n: 3461, sum: 2422.7, sumSquares: 134698.29 },
          ],
        },
        {
          metric: "proportion",
          allocation: [0.5, 0.5],
          arms: [
            { name: "control", users: 10_000, conversions: 500 },
            { name: "treatment", users: 10_500, conversions: 500 },
          ],
        },
      ]),
    );
    const out = JSON.parse(cli(["analyze", "--input", file, "--json"]).stdout);
    expect(out[0].comparisons[0].absolute.ci[0]).toBeCloseTo(-0.00020922, 8);
    expect(out[0].comparisons[0].relative.ci[1]).toBeCloseTo(0.251448, 6);
    expect(out[1].comparisons[0].absolute.pValue).toBeCloseTo(0.0201584, 7);
    expect(out[1].comparisons[0].relative.estimate).toBeCloseTo(0.70732, 5);
    expect(out[2].srm).toMatchObject({ flagged: true });
    const bad = join(t.dir, "bad.json");
    for (const [set, message] of [
      [
        {
          metric: "proportion",
          arms: [
            { name: "c", users: 10, conversions: 11 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /conversions cannot exceed users/,
      ],
      [
        {
          metric: "proportion",
          arms: [
            { name: "c", users: 10, conversions: -1 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /conversions cannot be negative/,
      ],
      [
        {
          metric: "mean",
          arms: [
            { name: "c", n: 1, sum: 1, sumSquares: 1 },
            { name: "t", n: 10, sum: 1, sumSquares: 1 },
          ],
        },
        /n must be at least 2/,
      ],
      [
        {
          metric: "proportion",
          engine: "bayes",
          arms: [
            { name: "c", users: 10, conversions: 1 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /engine: engine must be one of fixed, sequential, bayesian/,
      ],
      [
        {
          metric: "proportion",
          prior: { variance: 0.09 },
          arms: [
            { name: "c", users: 10, conversions: 1 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /prior: a prior needs "engine": "bayesian"/,
      ],
      [
        {
          metric: "proportion",
          engine: "bayesian",
          prior: { variance: -1 },
          arms: [
            { name: "c", users: 10, conversions: 1 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /prior.variance: variance must be above 0/,
      ],
      [
        {
          metric: "proportion",
          engine: "sequential",
          sequential: { tuning: 0 },
          arms: [
            { name: "c", users: 10, conversions: 1 },
            { name: "t", users: 10, conversions: 1 },
          ],
        },
        /sequential.tuning: tuning must be at least 1/,
      ],
    ] as const) {
      writeFileSync(bad, JSON.stringify([set]));
      const r = cli(["analyze", "--input", bad, "--json"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("CLI analyze --input: the engine per result set (gbstats 0.8.0 reference cases), and null with a reason", () => {
    const file = join(t.dir, "engines.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          metric: "proportion",
          engine: "bayesian",
          arms: [
            { name: "control", users: 100, conversions: 49 },
            { name: "treatment", users: 100, conversions: 51 },
          ],
        },
        {
          metric: "mean",
          engine: "sequential",
          sequential: { tuning: 1000 },
          arms: [
            { name: "control", n: 3000, sum: 1396.87, sumSquares: 52377.9767 },
            { name: "treatment", n: 3461, sum: 2422.7, sumSquares: 134698.29 },
          ],
        },
        {
          metric: "mean",
          engine: "bayesian",
          prior: { mean: 0.1, variance: 0.1, proper: true },
          arms: [
            { name: "c", n: 10, sum: 100, sumSquares: 1002.25 },
            { name: "t", n: 10, sum: 105, sumSquares: 1111.5 },
          ],
        },
        {
          metric: "mean",
          arms: [
            { name: "c", n: 10, sum: 10, sumSquares: 10 },
            { name: "t", n: 10, sum: 12, sumSquares: 20 },
          ],
        },
        {
          metric: "proportion",
          engine: "bayesian",
          inverse: true,
          arms: [
            { name: "control", users: 100, conversions: 49 },
            { name: "treatment", users: 100, conversions: 51 },
          ],
        },
      ]),
    );
    const out = JSON.parse(cli(["analyze", "--input", file, "--json"]).stdout);
    // gbstats tests/bayesian/test_tests.py TestBinom.test_bayesian_binomial_ab_test: chance_to_win 0.60918, risk [0.0814, 0.04058]
    expect(out[0]).toMatchObject({ engine: "bayesian", prior: { proper: false } });
    expect(out[0].comparisons[0].relative.chanceToWin).toBeCloseTo(0.60918, 5);
    expect(out[0].comparisons[0].relative.risk[0]).toBeCloseTo(0.0814, 4);
    expect(out[0].comparisons[0].relative.ci[0]).toBeCloseTo(-0.24779, 5);
    expect(out[0].comparisons[0].absolute.chanceToWin).toBeCloseTo(0.6114, 4);
    // gbstats tests/frequentist/test_tests.py TestSequentialTTest.test_sequential_test_runs: ci (-0.55844, 1.56516), p 1
    expect(out[1]).toMatchObject({ engine: "sequential", sequential: { tuning: 1000 } });
    expect(out[1].comparisons[0].relative.ci[0]).toBeCloseTo(-0.55844, 5);
    expect(out[1].comparisons[0].relative.pValue).toBe(1);
    // gbstats TestNorm.test_bayesian_gaussian_ab_test_informative: expected 0.05063, chance_to_win 0.92315
    expect(out[2].comparisons[0].relative.estimate).toBeCloseTo(0.05063, 5);
    expect(out[2].comparisons[0].relative.chanceToWin).toBeCloseTo(0.92315, 5);
    expect(out[3].comparisons[0].relative).toEqual({
      estimate: null,
      ci: null,
      pValue: null,
      reason: expect.stringMatching(/zero variance/),
    });
    expect(out[4].comparisons[0].relative.chanceToWin).toBeCloseTo(1 - 0.60918, 5);
  });
});
