import { describe, expect, it } from "vitest";
import { armFor, assignArms, assignmentUnit } from "~/experiments/assignment";
import { designSchema } from "~/experiments/design";
import { DEFAULT_DESIGN, designErrors, designFromForm } from "~/experiments/design-form";
import { baselinesFrom } from "~/experiments/stats/baselines";

describe("baselines from outcomes", () => {
  it("computes conversion, revenue mean and sd, AOV with its delta-method error, refund rate (worked by hand)", () => {
    // x (revenue) = 10, 0, 30, 20; y (orders) = 1, 0, 2, 1: x̄ 15, ȳ 1, s²x 500/3, s²y 2/3, sxy 10, R = 60/4 = 15
    // Var(R) = (1/4)(500/3 − 2·15·10 + 15²·2/3) = 25/6 → se 2.0412, per-customer sd = 2·se
    const b = baselinesFrom([
      { converted: true, revenue: 10, orders: 1, refunded: 0 },
      { converted: false, revenue: 0, orders: 0, refunded: 0 },
      { converted: true, revenue: 30, orders: 2, refunded: 3 },
      { converted: true, revenue: 20, orders: 1, refunded: 0 },
    ]);
    expect(b.customers).toBe(4);
    expect(b.conversion).toBe(0.75);
    expect(b.revenueMean).toBe(15);
    expect(b.revenueSd).toBeCloseTo(Math.sqrt(500 / 3), 12);
    expect(b.aov).toBe(15);
    expect(b.aovSe).toBeCloseTo(Math.sqrt(25 / 6), 12);
    expect(b.aovSd).toBeCloseTo(2 * Math.sqrt(25 / 6), 12);
    expect(b.refundRate).toBe(0.05);
  });

  it("gives nulls, not NaN, for an empty audience or a window without orders", () => {
    expect(baselinesFrom([])).toMatchObject({
      customers: 0,
      conversion: null,
      revenueMean: null,
      aov: null,
      refundRate: null,
    });
    expect(baselinesFrom([{ converted: false, revenue: 0, orders: 0, refunded: 0 }])).toMatchObject({
      conversion: 0,
      revenueMean: 0,
      revenueSd: null,
      aov: null,
      refundRate: null,
    });
  });
});

describe("deterministic assignment", () => {
  it("depends only on experiment and customer, and spreads uniformly", () => {
    expect(assignmentUnit(7, "12345")).toBe(assignmentUnit(7, "12345"));
    expect(assignmentUnit(7, "12345")).not.toBe(assignmentUnit(8, "12345"));
    const units = Array.from({ length: 20_000 }, (_, i) => assignmentUnit(1, String(10_000 + i)));
    expect(Math.min(...units)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...units)).toBeLessThan(1);
    // χ² over 10 equal bins (9 df): 21.67 is the 1% critical value
    const bins = new Array(10).fill(0);
    for (const u of units) bins[Math.floor(u * 10)]++;
    const chi2 = bins.reduce((s, o) => s + (o - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(21.67);
  });

  it("honours the allocation", () => {
    expect([
      armFor(0, [0.5, 0.5]),
      armFor(0.49, [0.5, 0.5]),
      armFor(0.5, [0.5, 0.5]),
      armFor(0.999, [0.2, 0.3, 0.5]),
    ]).toEqual([0, 0, 1, 2]);
    const ids = Array.from({ length: 30_000 }, (_, i) => `C${i}`);
    const arms = assignArms(42, ids, [0.2, 0.3, 0.5]);
    const counts = [0, 1, 2].map((a) => arms.filter((x) => x === a).length / ids.length);
    counts.forEach((c, i) => expect(Math.abs(c - [0.2, 0.3, 0.5][i])).toBeLessThan(0.015));
    expect(assignArms(42, ids, [0.2, 0.3, 0.5])).toEqual(arms);
  });
});

describe("design validation", () => {
  const form = (overrides: Record<string, string | string[]>) => {
    const f = new FormData();
    const base: Record<string, string | string[]> = {
      name: "Win back",
      campaignType: "reactivation discount",
      audienceKind: "segment",
      segment: "At Risk",
      armName: ["Control", "Treatment"],
      armShare: ["50%", "50%"],
      primaryMetric: "conversion",
      windowDays: "30",
      alpha: "0.05",
      power: "0.8",
      sides: "2",
      mde: "10",
      mdeUnit: "relative",
      method: "pooled",
      guardRefund: "on",
      refundMargin: "10%",
      ...overrides,
    };
    for (const [k, v] of Object.entries(base)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
    return designFromForm(f);
  };

  it("reads the form's percentages into shares and margins", () => {
    const r = form({});
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      arms: [
        { name: "Control", share: 0.5 },
        { name: "Treatment", share: 0.5 },
      ],
      guardrails: [{ metric: "refund_rate", margin: 0.1 }],
      stats: { mde: 0.1, relative: true },
    });
    expect(designSchema.safeParse({ ...DEFAULT_DESIGN, name: "Default" }).success).toBe(true); // the new-experiment form starts from it
  });

  it("refuses bad designs with the message beside the field", () => {
    const errors = (o: Record<string, string | string[]>) => {
      const r = form(o);
      expect(r.success).toBe(false);
      return designErrors(r.error!);
    };
    expect(errors({ armShare: ["50", "40"] }).arms).toBe("The allocation shares add up to 90%, not 100%");
    expect(errors({ armName: ["Control"], armShare: ["100"] }).arms).toBe("Control and at least one treatment");
    expect(errors({ armName: ["A", "a"] }).arms).toBe("Arm names must differ");
    expect(errors({ name: "" }).name).toBe("Give the experiment a name");
    expect(errors({ method: "t" }).method).toBe("Conversion takes method pooled or arcsine");
    expect(errors({ alpha: "0.7" }).alpha).toBe("α in (0, 0.5]");
    expect(errors({ segment: "Whales" }).audience).toBeDefined();
    expect(
      errors({ armName: ["C", "T1", "T2", "T3", "T4", "T5"], armShare: ["20", "16", "16", "16", "16", "16"] }).arms,
    ).toBe("Control and at most 4 treatments");
  });
});
