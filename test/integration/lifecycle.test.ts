import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Db } from "~/db/db.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import type { Design } from "~/experiments/design";
import { experimentPreview, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { assignmentCounts, assignmentRows, experimentHistoryOf, getExperiment } from "~/experiments/store.server";
import {
  archiveExperiment,
  cloneExperiment,
  decideExperiment,
  deleteExperiment,
  restoreExperiment,
  stopExperiment,
} from "~/experiments/lifecycle.server";
import { experimentAnalysis, recordAggregates, recordSimulation, recordUpload } from "~/experiments/results.server";
import { experimentReport, reportRows } from "~/experiments/report.server";
import { experimentsTable } from "~/experiments/list.server";
import { learnedLift } from "~/planning/plan.server";
import { importGenerated, tempDb } from "../support/db";
import { hashTables } from "../support/hash";
import { deleteDataset } from "~/db/datasets.server";

/** The experiment tables' rows, for what a delete must remove. */
function experimentRows(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(
    [
      "experiments",
      "experiment_versions",
      "experiment_history",
      "assignments",
      "experiment_results",
      "experiment_outcomes",
    ].map((t) => [t, db.$client.prepare(`SELECT * FROM "${t}"`).all()]),
  );
}

describe("experiment lifecycle, rehearsals and uploads (issue 16)", () => {
  let t: ReturnType<typeof tempDb>;
  let datasetId: number;
  const design = (over: Partial<Design> = {}): Design => ({
    ...DEFAULT_DESIGN,
    name: "Champions early access",
    audience: { kind: "segment", segment: "Champions" },
    ...over,
  });
  const started = (over: Partial<Design> = {}) => {
    const id = saveExperiment(t.db, datasetId, design(over));
    startExperiment(t.db, id);
    return id;
  };
  const unchanged = (step: () => unknown, message: RegExp) => {
    const before = hashTables(t.db); // every table, as listed by sqlite_master
    expect(step).toThrow(message);
    expect(hashTables(t.db)).toEqual(before);
  };

  beforeAll(async () => {
    t = tempDb();
    datasetId = await importGenerated(t, 80_000, 9);
  });
  afterAll(() => t.cleanup());

  it("starts on day S over the audience as of S, refuses an arm under 30 and an earlier day, and warns when underpowered", () => {
    const tiny = saveExperiment(
      t.db,
      datasetId,
      design({
        name: "Tiny",
        arms: [
          { name: "Control", share: 0.99 },
          { name: "Treatment", share: 0.01 },
        ],
      }),
    );
    unchanged(
      () => startExperiment(t.db, tiny),
      /Too few customers to start: Treatment would get \d+ \(at least 30 per arm/,
    );
    const id = saveExperiment(t.db, datasetId, design({ stats: { ...DEFAULT_DESIGN.stats, mde: 0.05 } }));
    unchanged(
      () => startExperiment(t.db, id, { startDate: "2011-01-01" }),
      /start date: 2011-01-01 is before the data set's last day/,
    );
    unchanged(() => startExperiment(t.db, id, { startDate: "2011-02-30" }), /is not a day/);
    const r = startExperiment(t.db, id, { startDate: "2011-12-20" });
    expect(r.startDate).toBe("2011-12-20");
    expect(r.warnings).toEqual([expect.stringMatching(/^power \d+% at the planned MDE of 5%, below the planned 80%$/)]);
    expect(r.perArm.every((n) => n >= 30)).toBe(true);
    const e = getExperiment(t.db, id)!;
    expect(e).toMatchObject({ status: "running", startDate: "2011-12-20" });
    expect(e.design.referenceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/); // T frozen into the design at the start
    expect(assignmentCounts(t.db, id)).toEqual(r.perArm);
    // the started preview is the assigned customers, not today's audience
    expect(experimentPreview(t.db, e)).toMatchObject({ frozen: true, audience: { customers: r.assigned } });
    expect(experimentHistoryOf(t.db, id).map((h) => h.action)).toEqual(["created", "started"]);
  });

  it("keeps rehearsals apart: no status change, labelled in the report, replaced by real results, refused over them", () => {
    const id = started();
    recordSimulation(t.db, id, { seed: 2, conversionLift: [0.3], revenueLift: [0] });
    expect(getExperiment(t.db, id)!.status).toBe("running");
    const report = experimentReport(t.db, id);
    expect(report.results).toMatchObject({ source: "simulation", rehearsal: true });
    expect(reportRows(report)[0]).toEqual(["results", "REHEARSAL", "simulated: not a result"]);
    const n = assignmentCounts(t.db, id);
    recordAggregates(
      t.db,
      id,
      n.map((users, i) => ({
        users,
        conversions: Math.floor(users / (5 + i)),
        revenueSum: 100 * users,
        revenueSquares: 30_000 * users,
        orders: users,
        refunded: 0,
      })),
    );
    expect(experimentAnalysis(t.db, id)!.results.source).toBe("aggregate");
    unchanged(
      () => recordSimulation(t.db, id, { seed: 2, conversionLift: [0.3], revenueLift: [0] }),
      /this experiment has real results; rehearse on a clone/,
    );
    expect(getExperiment(t.db, id)!.status).toBe("running");
  });

  it("a rehearsal never reaches Plan or ROI: a completed experiment whose results are simulated teaches no lift", () => {
    const id = started({ campaignType: "homepage personalisation" });
    recordSimulation(t.db, id, { seed: 7, conversionLift: [0.5], revenueLift: [0.5] });
    stopExperiment(t.db, id, "rehearsed only");
    decideExperiment(t.db, id, "inconclusive", "a rehearsal");
    expect(getExperiment(t.db, id)!.status).toBe("completed");
    expect(learnedLift(t.db, datasetId, "homepage personalisation", "Champions")).toBeNull();
    expect(learnedLift(t.db, datasetId, "homepage personalisation", "Champions", { borrow: true })).toBeNull();
  });

  it("a failing recording changes no table", () => {
    const id = started();
    const draft = saveExperiment(t.db, datasetId, design({ name: "Draft" }));
    unchanged(() => recordAggregates(t.db, draft, []), /Start the experiment before recording results/);
    unchanged(
      () => recordSimulation(t.db, id, { seed: 1, conversionLift: [0.1, 0.2], revenueLift: [0] }),
      /Give a lift for each of the 1 treatment arms/,
    );
    unchanged(() => recordUpload(t.db, id, "customer_id,arm\n1,Control", false), /The header must be/);
    unchanged(
      () => recordUpload(t.db, id, "customer_id,arm,converted,revenue,orders,refunded\nNOPE,Control,1,1,1,0", false),
      /do not match the assignment/,
    );
    // the analysis cannot run on these counts (the earlier defect: a failed simulation still completed the experiment)
    const one = { users: 1, conversions: 0, revenueSum: 0, revenueSquares: 0, orders: 0, refunded: 0 };
    unchanged(() => recordAggregates(t.db, id, [one, one]), /cannot be analysed, so nothing was recorded/);
    expect(getExperiment(t.db, id)!.status).toBe("running");
  });

  it("an upload accounts for everyone: absent customers are non-buyers by default, or left out", () => {
    const id = started();
    const rows = assignmentRows(t.db, id);
    const name = (arm: number) => (arm === 0 ? "Control" : "Treatment");
    const body = rows
      .slice(2)
      .map(
        (r, i) =>
          `${r.customerId},${name(r.arm)},${i % 3 === 0 ? 1 : 0},${i % 3 === 0 ? 40 : 0},${i % 3 === 0 ? 1 : 0},0`,
      );
    const csv = ["customer_id,arm,converted,revenue,orders,refunded", ...body, "NOT-ASSIGNED,Control,1,10,1,0"].join(
      "\n",
    );
    const zero = recordUpload(t.db, id, csv, true);
    expect(zero.accounting).toEqual({
      assigned: rows.length,
      linesInFile: rows.length - 1,
      accepted: rows.length - 2,
      absent: 2,
      absentTreatment: "non-buyers",
      absentCounted: 2,
      refused: 1,
    });
    expect(experimentAnalysis(t.db, id)!.analysis!.arms.reduce((s, a) => s + a.users, 0)).toBe(rows.length);
    const excluded = recordUpload(t.db, id, csv, true, "exclude");
    expect(excluded.accounting).toMatchObject({ absent: 2, absentTreatment: "excluded", absentCounted: 0 });
    expect(experimentAnalysis(t.db, id)!.analysis!.arms.reduce((s, a) => s + a.users, 0)).toBe(rows.length - 2);
    expect(experimentReport(t.db, id).results!.notes).toMatchObject({ accounting: excluded.accounting });
    expect(reportRows(experimentReport(t.db, id))).toContainEqual(["upload", "absent", 2]);
  });

  it("the experiments list hides archived experiments unless asked, and marks a rehearsal with no decision", () => {
    const rehearsed = started({ name: "List rehearsal" });
    recordSimulation(t.db, rehearsed, { seed: 3, conversionLift: [0.3], revenueLift: [0] });
    const shelved = saveExperiment(t.db, datasetId, design({ name: "List archived" }));
    archiveExperiment(t.db, shelved);
    const row = (rows: ReturnType<typeof experimentsTable>, id: number) => rows.find((r) => r.id === id);
    const list = experimentsTable(t.db, datasetId);
    expect(row(list, shelved)).toBeUndefined();
    expect(row(list, rehearsed)).toMatchObject({ rehearsal: true, decision: null, archived: false });
    expect(row(experimentsTable(t.db, datasetId, undefined, { archived: true }), shelved)).toMatchObject({
      archived: true,
      rehearsal: false,
    });
    expect(row(experimentsTable(t.db, datasetId, "draft", { archived: true }), shelved)).toMatchObject({
      archived: true,
    });
  });

  it("stops early, decides (an override needs its reason), runs again, archives, restores, and deletes everything in one go", () => {
    const id = started();
    unchanged(() => decideExperiment(t.db, id, "ship"), /Record real results before deciding/);
    expect(stopExperiment(t.db, id, "the code leaked")).toMatchObject({
      status: "completed",
      stopReason: "the code leaked",
    });
    unchanged(() => stopExperiment(t.db, id), /Only a running experiment can be stopped/);
    unchanged(() => decideExperiment(t.db, id, "ship"), /give the reason for the decision/);
    expect(decideExperiment(t.db, id, "inconclusive", "stopped before any result")).toMatchObject({
      decision: "inconclusive",
      decisionNote: "stopped before any result",
    });
    unchanged(
      () => recordSimulation(t.db, id, { seed: 1, conversionLift: [0.1], revenueLift: [0] }),
      /The decision is recorded/,
    );
    const copy = cloneExperiment(t.db, id);
    expect(getExperiment(t.db, copy)).toMatchObject({
      status: "draft",
      name: "Champions early access (copy)",
      startDate: null,
    });
    expect(getExperiment(t.db, copy)!.design.referenceDate).toBeUndefined(); // the copy's T follows its own start
    expect(archiveExperiment(t.db, id).archivedAt).not.toBeNull();
    expect(restoreExperiment(t.db, id).archivedAt).toBeNull();
    expect(experimentHistoryOf(t.db, id).map((h) => h.action)).toEqual([
      "created",
      "started",
      "stopped early",
      "decided: Inconclusive",
      "cloned",
      "archived",
      "restored",
    ]);
    unchanged(() => deleteExperiment(t.db, id, "Champions"), /type the experiment's name "Champions early access"/);
    deleteExperiment(t.db, id, "Champions early access");
    for (const [table, rows] of Object.entries(experimentRows(t.db))) {
      expect(
        (rows as { experiment_id?: number; id?: number }[]).filter(
          (r) => (table === "experiments" ? r.id : r.experiment_id) === id,
        ),
        table,
      ).toEqual([]);
    }
  });
  it("deleting the data set removes its experiments with their history, versions, assignments and results", () => {
    const id = started({ name: "Left behind?" });
    expect(experimentHistoryOf(t.db, id).length).toBeGreaterThan(0);
    expect(deleteDataset(t.db, datasetId)).toBe(true);
    for (const [table, rows] of Object.entries(experimentRows(t.db))) expect(rows, table).toEqual([]);
  });
});
