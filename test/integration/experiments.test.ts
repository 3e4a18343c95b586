import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayNumber } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { backtest, factsHistory, rfmAsOf } from "~/experiments/backtest";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import type { Design } from "~/experiments/design";
import { designPreview, ExperimentError, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { assignmentRows, experimentVersions, getExperiment } from "~/experiments/store.server";
import { assignArms } from "~/experiments/assignment";
import { fixture, importForTest, tempDb } from "../support/db";

// context-shop.csv again (last day 2011-05-20). With W = 30 the default T is 2011-04-20. Worked by hand with data up to T:
//   recency A 41, B 70, C 95, D 50 → breakpoints 46.4, 54, 66, 80 → R: A 5, B 2, C 1, D 4
//   frequency A 3, B 2, C 1, D 1 (D's 20 May order is after T) → 1, 1.2, 1.8, 2.4 → F: A 5, B 4, C 1, D 1
//   monetary net of returns up to T: A 180 − 15 = 165, B 225 − 20 = 205, C 80, D 60 → 72, 97, 148, 181 → M: A 4, B 5, C 2, D 1
//   segments: A Champions, B At Risk, C Hibernating, D Promising (today D is a Potential Loyalist: the future is unseen)
//   window 21 Apr–20 May: only D buys (40.00, one order).
describe("back-test as of T", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    id = await importForTest(t.db, fixture("context-shop.csv"));
  });
  afterAll(() => t.cleanup());

  it("recomputes RFM with only the data up to T", () => {
    const rows = rfmAsOf(getFacts(t.db, id), dayNumber("2011-04-20"));
    expect(rows.map((r) => [r.customerId, r.recency, r.frequency, r.monetary, r.segment])).toEqual([
      ["10001", 41, 3, 165, "Champions"],
      ["10002", 70, 2, 205, "At Risk"],
      ["10003", 95, 1, 80, "Hibernating"],
      ["10004", 50, 1, 60, "Promising"],
    ]);
    // before any purchase of C (15 Jan) and D (1 Mar), they are not customers yet
    expect(rfmAsOf(getFacts(t.db, id), dayNumber("2011-01-10")).map((r) => r.customerId)).toEqual(["10001"]);
  });

  it("measures the audience's outcome over the W days after T", () => {
    const facts = factsHistory(getFacts(t.db, id));
    const promising = backtest(facts, { kind: "segment", segment: "Promising" }, 30, undefined, null);
    expect(promising).toMatchObject({
      referenceDate: "2011-04-20",
      windowStart: "2011-04-21",
      windowEnd: "2011-05-20",
      members: 1,
      baselines: { conversion: 1, revenueMean: 40, aov: 40 },
    });
    const everyone = backtest(facts, { kind: "filter", recency: { max: 100 } }, 30, undefined, null);
    expect(everyone.baselines).toMatchObject({
      customers: 4,
      conversion: 0.25,
      revenueMean: 10,
      revenueSd: 20,
      aov: 40,
      refundRate: 0,
    });
    // an explicit T: as of 1 Feb, the 60 days after bring B's two orders (225) and A's March order (30) with its return (15)
    const feb = backtest(facts, { kind: "filter" }, 60, "2011-02-01", null);
    expect(feb).toMatchObject({
      members: 2,
      windowEnd: "2011-04-02",
      baselines: { conversion: 0.5, revenue: 30, orders: 1, refunded: 15, refundRate: 0.5 },
    });
  });

  const design = (over: Partial<Design> = {}): Design => ({
    ...DEFAULT_DESIGN,
    name: "Win back",
    audience: { kind: "segment", segment: "At Risk" },
    ...over,
  });

  it("keeps every version of a draft and freezes a started design", () => {
    const eid = saveExperiment(t.db, id, design());
    saveExperiment(t.db, id, design({ name: "Win back, 20%", stats: { ...DEFAULT_DESIGN.stats, mde: 0.2 } }), eid);
    expect(experimentVersions(t.db, eid).map((v) => [v.version, v.design.name])).toEqual([
      [2, "Win back, 20%"],
      [1, "Win back"],
    ]);
    const started = startExperiment(t.db, eid, { minPerArm: 0 }); // a 4-customer shop: below the floor of 30 on purpose
    expect(started.assigned).toBe(1); // today's At Risk: B
    expect(getExperiment(t.db, eid)).toMatchObject({ status: "running", version: 2 });
    expect(() => saveExperiment(t.db, id, design(), eid)).toThrow(ExperimentError);
    expect(() => startExperiment(t.db, eid)).toThrow(/already running/);
    expect(assignmentRows(t.db, eid)).toEqual([
      { customerId: "10002", arm: assignArms(eid, ["10002"], [0.5, 0.5])[0] },
    ]);
  });

  it("uses typed baselines over measured ones, and says when the audience is too small", () => {
    const preview = designPreview(
      t.db,
      id,
      design({ audience: { kind: "segment", segment: "Champions" }, baselines: { conversion: 0.3 } }),
    );
    expect(preview.baselines.used.conversion).toEqual({ value: 0.3, typed: true });
    expect(preview.baselines.used.refundRate.typed).toBe(false);
    expect(preview.power.result).toMatchObject({ nControl: 3_763 }); // 30% → 33%: R power.prop.test(strict = TRUE) gives 3,762.35
    expect(preview.power.tooSmall).toBe(true);
    expect(preview.audience.customers).toBe(1);
    const noBaseline = designPreview(t.db, id, design({ audience: { kind: "segment", segment: "Lost" } }));
    expect(noBaseline.power.problem).toMatch(/No conversion in the back-test window: type a baseline/);
  });
});
