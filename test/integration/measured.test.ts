import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/db.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { assignmentRows, experimentHistoryOf, getExperiment } from "~/experiments/store.server";
import {
  completeMeasured,
  measuredResults,
  overTime,
  overTimeCsvRows,
  recordMeasured,
  measureDataset,
  storeMeasurements,
} from "~/experiments/measure.server";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importAndDerive, updateAndDerive } from "~/derive/derive.server";
import { experimentAnalysis, recordSimulation } from "~/experiments/results.server";
import { historyOf } from "~/experiments/history.server";
import { saveAudience } from "~/segments/audiences.server";
import { fixture, tempDb } from "../support/db";

// Measured results on a fixture shop worked by hand (test/fixtures/measured-shop.csv): imported up to S = 2011-01-10,
// an experiment over all 8 customers with W = 7, then updates; every outcome below is read off the file by hand.
//   window S+1 … S+7 = 2011-01-11 … 2011-01-17; CUPED pre-period S−W+1 … S = 2011-01-04 … 2011-01-10
const SHOP = fixture("measured-shop.csv");
type Hand = { converted: boolean; revenue: number; orders: number; refunded: number; preSpend: number };
const FINAL: Record<string, Hand> = {
  // two invoices on 01-12 (500101: 5.00 + 2 × 1.50; 500102: 2.00); pre: 500001 2 × 5.00 on 01-05 (the 0-price line is invalid)
  "10001": { converted: true, revenue: 10, orders: 2, refunded: 0, preSpend: 10 },
  // only a cancellation in the window (C500103: 2 × 2.50); pre: 3 × 2.50 on 01-10
  "10002": { converted: false, revenue: 0, orders: 0, refunded: 5, preSpend: 7.5 },
  // 3 × 4.00 on 01-17 23:59 (the window's last day); 100.00 on 01-18 is after it; pre: nothing since 12-20
  "10003": { converted: true, revenue: 12, orders: 1, refunded: 0, preSpend: 0 },
  // no line in the window; pre: 4 × 1.25 on 01-04 (the pre-period's first day)
  "10004": { converted: false, revenue: 0, orders: 0, refunded: 0, preSpend: 5 },
  // 0.99 on 01-11 0:00 (the first day), cancelled on 01-14; pre: the 01-03 sale is a day too early
  "10005": { converted: true, revenue: 0.99, orders: 1, refunded: 0.99, preSpend: 0 },
  // a zero-price line only (invalid): zeros; pre: 2 × 6.00 (its duplicate dropped; the cancellation is no sale)
  "10006": { converted: false, revenue: 0, orders: 0, refunded: 0, preSpend: 12 },
  // 5 × 3.20 on 01-15, its exact duplicate dropped
  "10007": { converted: true, revenue: 16, orders: 1, refunded: 0, preSpend: 0 },
  // one invoice of two lines on 01-16: 4.00 + 2 × 0.50; pre: 4.00 on 01-10
  "10008": { converted: true, revenue: 5, orders: 1, refunded: 0, preSpend: 4 },
};
// day 3 of 7 (data through 01-13): 10001's two invoices, 10005's sale (its cancellation comes on 01-14), 10002's cancellation
const INTERIM: Record<string, Hand> = Object.fromEntries(
  Object.entries(FINAL).map(([c, h]) => [
    c,
    c === "10001" || c === "10002"
      ? h
      : c === "10005"
        ? { ...h, refunded: 0 }
        : { ...h, converted: false, revenue: 0, orders: 0, refunded: 0 },
  ]),
);

/** Per-arm sums of hand-computed outcomes over the experiment's real assignment. */
function expected(db: Db, id: number, hand: Record<string, Hand>, names: string[]) {
  const rows = assignmentRows(db, id);
  return names.map((name, k) => {
    const mine = rows.filter((r) => r.arm === k).map((r) => hand[r.customerId]);
    const cents = (f: (h: Hand) => number) => Math.round(mine.reduce((s, h) => s + Math.round(f(h) * 100), 0)) / 100;
    return {
      name,
      users: mine.length,
      conversions: mine.filter((h) => h.converted).length,
      revenueSum: cents((h) => h.revenue),
      orders: mine.reduce((s, h) => s + h.orders, 0),
      refunded: cents((h) => h.refunded),
      preSpendSum: cents((h) => h.preSpend),
    };
  });
}

/** Starts an experiment at S (the lifecycle's Start records it as the experiment's start day). */
function startAt(db: Db, id: number, s: string) {
  expect(startExperiment(db, id, { minPerArm: 0 }).startDate).toBe(s); // an 8-customer fixture shop: below the floor of 30 on purpose (tests only)
}

describe("measured results on the fixture shop", () => {
  let t: ReturnType<typeof tempDb>;
  let datasetId: number;
  let id: number;
  const names = ["Control", "Treatment"];
  const update = (until?: string) => updateAndDerive(t.db, SHOP, { dataset: datasetId, until });

  beforeEach(async () => {
    t = tempDb();
    await importAndDerive(t.db, SHOP, { name: "shop", until: "2011-01-10" });
    datasetId = t.db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
    const audience = saveAudience(t.db, datasetId, { name: "Everyone", definition: { kind: "filter" } });
    id = saveExperiment(t.db, datasetId, {
      ...DEFAULT_DESIGN,
      name: "Fixture test",
      audience: { kind: "audience", id: audience },
      windowDays: 7,
      arms: [
        { name: "Control", share: 0.5 },
        { name: "Treatment", share: 0.5 },
      ],
    });
    startAt(t.db, id, "2011-01-10");
    expect(assignmentRows(t.db, id)).toHaveLength(8);
  });
  afterEach(() => t.cleanup());

  it("has nothing to measure before an update", () => {
    expect(() => recordMeasured(t.db, id)).toThrow(/Nothing to measure yet: the data ends on 2011-01-10/);
  });

  it("measures interim results at day 3 of 7, then final ones at day 7, per arm exactly as worked by hand", async () => {
    const first = await update("2011-01-13");
    expect(first.remeasured).toEqual([id]);
    const interim = measuredResults(t.db, id)!;
    expect(interim).toMatchObject({
      startDate: "2011-01-10",
      observedThrough: "2011-01-13",
      daysObserved: 3,
      windowDays: 7,
    });
    expect(interim.arms).toEqual(expected(t.db, id, INTERIM, names));
    expect(interim.analysis!.interim).toBe(true);
    expect(interim.analysis!.engine.name).toBe("sequential");
    expect(interim.analysis!.sequential).toHaveLength(1);
    expect(interim.analysis!.decision.reasons[0]).toMatch(
      /Interim: day 3 of 7 observed, through 2011-01-13; keep running: 4 more days/,
    );
    expect(getExperiment(t.db, id)!.status).toBe("running");
    // the report and the lifecycle read the stored results the same way: interim, sequential, keep running
    const read = experimentAnalysis(t.db, id)!.analysis!;
    expect(read.engine).toMatchObject({ name: "sequential", interim: true });
    expect(read.decision.verdict).toBe("keep-running");
    expect(() => completeMeasured(t.db, id)).toThrow(/can be completed once day 7 is observed/);

    const second = await update();
    expect(second.remeasured).toEqual([id]);
    const final = measuredResults(t.db, id)!;
    // the data runs to 01-18: the window stops at S + W = 01-17 and daysObserved is capped at W
    expect(final).toMatchObject({
      startDate: "2011-01-10",
      observedThrough: "2011-01-17",
      daysObserved: 7,
      windowDays: 7,
    });
    expect(final.arms).toEqual(expected(t.db, id, FINAL, names));
    // the whole shop, arm by arm summed: 5 buyers, 43.99 revenue, 6 orders, 5.99 refunded, 38.50 pre-spend
    const total = final.arms.reduce(
      (s, a) => ({
        users: s.users + a.users,
        conversions: s.conversions + a.conversions,
        revenue: s.revenue + a.revenueSum,
        orders: s.orders + a.orders,
        refunded: s.refunded + a.refunded,
        pre: s.pre + a.preSpendSum,
      }),
      { users: 0, conversions: 0, revenue: 0, orders: 0, refunded: 0, pre: 0 },
    );
    expect(total.users).toBe(8);
    expect(total.conversions).toBe(5);
    expect(total.revenue).toBeCloseTo(43.99, 9);
    expect(total.orders).toBe(6);
    expect(total.refunded).toBeCloseTo(5.99, 9);
    expect(total.pre).toBeCloseTo(38.5, 9);
    expect(final.analysis!.interim).toBe(false);
    expect(final.analysis!.engine.name).toBe("fixed");
    // the measured outcome of each customer is stored for CUPED
    const stored = t.db.$client
      .prepare(
        "SELECT customer_id, converted, revenue, orders, refunded, pre_spend FROM experiment_outcomes WHERE experiment_id = ? ORDER BY customer_id",
      )
      .raw()
      .all(id);
    expect(stored).toEqual(
      Object.entries(FINAL).map(([c, h]) => [c, h.converted ? 1 : 0, h.revenue, h.orders, h.refunded, h.preSpend]),
    );

    const done = completeMeasured(t.db, id);
    const e = t.db.$client.prepare("SELECT status, decision FROM experiments WHERE id = ?").get(id);
    // 8 customers cannot decide: the raw verdict is mapped to the recorded decisions (ship | dont-ship | inconclusive)
    expect(done.analysis!.decision.verdict).toBe("cannot-decide");
    expect(e).toEqual({ status: "completed", decision: "inconclusive" });
    expect(experimentHistoryOf(t.db, id).at(-1)!.action).toMatch(/inconclusive/i);
    // a completed experiment's results stay as they were when it ended
    expect(() => recordMeasured(t.db, id)).toThrow(/completed: its results stay/);
    // an update measures nothing again: measured before the lock, stored under it (the production path, app/derive)
    const history = historyOf(t.db, datasetId);
    expect(storeMeasurements(t.db, datasetId, measureDataset(t.db, datasetId, history), history)).toEqual([]);
  });

  it("writes each measurement to the experiment's history: day d of W, what it replaced, and the re-measure at an update", async () => {
    recordSimulation(t.db, id, { seed: 1, conversionLift: [0.1], revenueLift: [0.1] });
    await update("2011-01-13");
    recordMeasured(t.db, id);
    await update();
    const measured = experimentHistoryOf(t.db, id).filter((h) => h.action.startsWith("results measured"));
    expect(measured.map((h) => [h.action, h.note])).toEqual([
      ["results measured (day 3 of 7)", "replacing a rehearsal; after an update of the data set"],
      ["results measured (day 3 of 7)", null],
      ["results measured (day 7 of 7)", "after an update of the data set"],
    ]);
  });

  it("gives the results over time, day by day, cumulative", async () => {
    await update();
    const days = overTime(t.db, id);
    expect(days.map((d) => d.date)).toEqual([
      "2011-01-11",
      "2011-01-12",
      "2011-01-13",
      "2011-01-14",
      "2011-01-15",
      "2011-01-16",
      "2011-01-17",
    ]);
    // buyers by day of first purchase: 10005 (01-11), 10001 (01-12), 10007 (01-15), 10008 (01-16), 10003 (01-17)
    const buyers = days.map((d) => d.arms.reduce((s, a) => s + a.conversions, 0));
    expect(buyers).toEqual([1, 2, 2, 2, 3, 4, 5]);
    const revenue = days.map((d) => Math.round(d.arms.reduce((s, a) => s + a.revenue, 0) * 100) / 100);
    expect(revenue).toEqual([0.99, 10.99, 10.99, 10.99, 26.99, 31.99, 43.99]);
    expect(days.every((d) => d.arms.reduce((s, a) => s + a.users, 0) === 8)).toBe(true);
    expect(days.slice(0, 6).every((d) => d.lifts[0].engine === "sequential")).toBe(true);
    expect(days[6].lifts[0].engine).toBe("fixed");
    const csv = overTimeCsvRows(days);
    expect(csv.header).toEqual([
      "day",
      "date",
      "arm",
      "users",
      "conversions",
      "revenue",
      "lift",
      "lift_low",
      "lift_high",
      "interval",
    ]);
    expect(csv.rows).toHaveLength(14);
    expect(csv.rows[0].slice(0, 3)).toEqual([1, "2011-01-11", "Control"]);
    expect(csv.rows[0][6]).toBeNull(); // control has no lift
    expect(csv.rows[13][9]).toBe(days[6].lifts[0].engine);
    // the last day's lift is the final analysis's relative lift
    const final = measuredResults(t.db, id)!;
    expect(days[6].lifts[0].estimate).toBeCloseTo(final.analysis!.primary.comparisons[0].relative.estimate!, 12);
  });

  it("re-measures nothing when the update brings no day after S", async () => {
    const copy = join(t.dir, "re-export.csv");
    writeFileSync(copy, readFileSync(SHOP, "utf8") + "\n"); // the same lines in another file (the same file is refused)
    const again = await updateAndDerive(t.db, copy, { dataset: datasetId, until: "2011-01-10" });
    expect(again.remeasured).toEqual([]);
    expect(t.db.$client.prepare("SELECT COUNT(*) FROM experiment_results").pluck().get()).toBe(0);
  });
});
