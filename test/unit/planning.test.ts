import { describe, expect, it } from "vitest";
import { allocateBudget, profitPerContact, type Candidate } from "~/planning/allocate";
import { campaignRoi } from "~/planning/roi";
import { DEFAULT_MDE, testFirstLift, testFirstNote } from "~/planning/assumptions";
import { DEFAULT_DESIGN } from "~/experiments/design-form";

const c = (name: string, over: Partial<Candidate> = {}): Candidate => ({
  name,
  audience: 100,
  costPerContact: 1,
  valuePerCustomer: 50,
  lift: 0.1,
  grossMargin: 0.5,
  discountShare: 0,
  ...over,
});

describe("campaign ROI (worked by hand)", () => {
  it("1,000 customers × 20.00 × 10% lift, 0.50 a contact, 5% discount, 40% margin", () => {
    const r = campaignRoi({
      audience: 1000,
      baselineValue: 20,
      lift: 0.1,
      costPerContact: 0.5,
      discountShare: 0.05,
      grossMargin: 0.4,
      windowDays: 30,
    });
    // incremental revenue 2,000; margin 800; contacts 500; discount 5% of 22,000 = 1,100; profit 800 − 1,600 = −800
    expect(r.incrementalRevenue).toBeCloseTo(2000, 9);
    expect(r.incrementalMargin).toBeCloseTo(800, 9);
    expect(r.contactCost).toBe(500);
    expect(r.discountCost).toBeCloseTo(1100, 9);
    expect(r.profit).toBeCloseTo(-800, 9);
    expect(r.roi).toBeCloseTo(-0.5, 12);
    // break-even: (500/20,000 + 0.05)/(0.4 − 0.05) = 0.075/0.35
    expect(r.breakEvenLift).toBeCloseTo(0.075 / 0.35, 12);
    const at = campaignRoi({
      audience: 1000,
      baselineValue: 20,
      lift: r.breakEvenLift!,
      costPerContact: 0.5,
      discountShare: 0.05,
      grossMargin: 0.4,
      windowDays: 30,
    });
    expect(at.profit).toBeCloseTo(0, 9);
    expect(r.paybackDays).toBeNull(); // margin 800 − discount 1,100 never pays the contacts back
    const paying = campaignRoi({
      audience: 1000,
      baselineValue: 20,
      lift: 0.1,
      costPerContact: 0.5,
      discountShare: 0,
      grossMargin: 0.4,
      windowDays: 30,
    });
    expect(paying.paybackDays).toBeCloseTo(500 / (800 / 30), 9);
  });
});

describe("budget allocator", () => {
  it("funds the best profit per unit of budget first, up to each audience", () => {
    // profit per contact: A 50·0.1·0.5 − 1 = 1.5 (ratio 1.5); B 50·0.2·0.5 − 2 = 3 (ratio 1.5, listed after A); C 0.25 − 1 < 0
    const candidates = [c("A"), c("B", { lift: 0.2, costPerContact: 2 }), c("C", { lift: 0.01 })];
    expect(candidates.map(profitPerContact)).toEqual([1.5, 3, -0.75]);
    const r = allocateBudget(150, candidates);
    expect(r.allocations.map((a) => [a.name, a.contacts, a.spend])).toEqual([
      ["A", 100, 100],
      ["B", 25, 50],
      ["C", 0, 0],
    ]);
    expect(r.expectedProfit).toBeCloseTo(100 * 1.5 + 25 * 3, 9);
    expect(r.unspent).toBe(0);
  });

  it("with a budget that covers everything, funds every profitable audience whole and leaves the rest", () => {
    const r = allocateBudget(1_000_000, [c("A"), c("B", { lift: 0.2, costPerContact: 2 }), c("C", { lift: 0.01 })]);
    expect(r.allocations.map((a) => a.contacts)).toEqual([100, 100, 0]);
    expect(r.spend).toBe(300);
    expect(r.unspent).toBe(999_700);
  });

  it("with no budget, funds nothing but free profitable contacts", () => {
    const r = allocateBudget(0, [c("A"), c("Free", { costPerContact: 0, audience: 40 })]);
    expect(r.allocations.map((a) => a.contacts)).toEqual([0, 40]);
    expect(r.spend).toBe(0);
  });

  it("is the optimum of the linear problem (checked against every split of a small case)", () => {
    const candidates = [
      c("A", { audience: 30, costPerContact: 3, lift: 0.3 }),
      c("B", { audience: 50, costPerContact: 2, lift: 0.15 }),
    ];
    const budget = 100;
    let best = -Infinity;
    for (let a = 0; a <= 30; a++)
      for (let b = 0; b <= 50; b++)
        if (a * 3 + b * 2 <= budget)
          best = Math.max(best, a * profitPerContact(candidates[0]) + b * profitPerContact(candidates[1]));
    expect(allocateBudget(budget, candidates).expectedProfit).toBeCloseTo(best, 9);
  });
});

describe("test-first sizing (issue 11: a 0.0% break-even lift sized 1.6 billion customers per arm)", () => {
  it("sizes at the break-even lift, never below the design form's default MDE", () => {
    expect(DEFAULT_MDE).toBe(0.1);
    expect(DEFAULT_DESIGN.stats.mde).toBe(DEFAULT_MDE); // one definition: the form starts from the same floor
    expect(testFirstLift(0.0001)).toBe(0.1);
    expect(testFirstLift(0.1)).toBe(0.1);
    expect(testFirstLift(0.25)).toBe(0.25);
    expect(testFirstLift(null)).toBe(0.1);
    expect(testFirstLift(50)).toBe(0.1); // a break-even beyond 1,000% is not a test anyone runs
  });
  it("says in words that any lift above a tiny break-even pays, and what the floor-sized test needs", () => {
    expect(testFirstNote(0.0004, 0.1, 12345)).toBe(
      "any lift above 0.04% pays; a test sized to detect 10.0% lift in revenue per customer (80% power, α 0.05) needs 12,345 customers per arm",
    );
    expect(testFirstNote(0.25, 0.25, 800)).toBe(
      "break-even at 25.0% lift; a test sized to detect 25.0% lift in revenue per customer (80% power, α 0.05) needs 800 customers per arm",
    );
    expect(testFirstNote(null, 0.1, null)).toMatch(/^no break-even lift; .*cannot be sized/);
  });
});
