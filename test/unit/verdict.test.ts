import { describe, expect, it } from "vitest";
import type { Design } from "~/experiments/design";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import {
  analyseRecorded,
  analyseResults,
  armStatsFromOutcomes,
  type ArmStats,
  type CustomerOutcome,
} from "~/experiments/verdict";
import { mulberry32 } from "~/lib/random";

// The decision framework (issue #11): four outcomes per engine that never contradict each other. Hand-made counts;
// the planned design is the default (conversion, MDE 10% relative, power 80%, α 0.05, two-sided).

const counts = (name: string, users: number, conversions: number): ArmStats => ({
  name,
  users,
  conversions,
  revenueSum: conversions * 40,
  revenueSquares: conversions * 2000,
  orders: conversions,
  refunded: 0,
});
const design = (stats: Partial<Design["stats"]> = {}, over: Partial<Design> = {}): Design => ({
  ...DEFAULT_DESIGN,
  name: "t",
  ...over,
  stats: { ...DEFAULT_DESIGN.stats, ...stats },
});

describe("decision: the four outcomes (fixed-horizon)", () => {
  it("Ship: a clear winner; guardrails that typed counts cannot measure stay listed as not measurable", () => {
    const a = analyseResults(design(), [counts("Control", 10_000, 1000), counts("Treatment", 10_000, 1300)], null, {
      assigned: [10_000, 10_000],
    });
    expect(a.decision).toMatchObject({ verdict: "ship", arm: "Treatment" });
    expect(a.guardrails.map((g) => [g.metric, g.verdict])).toEqual([
      ["refund_rate", "not-measurable"],
      ["aov", "not-measurable"],
    ]);
    expect(a.guardrails[0].reason).toMatch(/needs per-customer results/);
    expect(a.decision.reasons.join(" ")).toMatch(
      /Before shipping, check what the guardrails could not settle: refund rate, AOV/,
    );
    expect(a.decision.headline[0]).toMatch(
      /^Treatment: conversion \+30\.0% \(95% confidence interval \+19\.9% to \+40\.1%\), p .*: significant at α 0.05\.$/,
    );
  });

  it("Don't ship: the treatment is significantly worse", () => {
    const a = analyseResults(design(), [counts("Control", 10_000, 1000), counts("Treatment", 10_000, 700)], null, {
      assigned: [10_000, 10_000],
    });
    expect(a.decision.verdict).toBe("dont-ship");
  });

  it("Keep running: customers still needed, never more than the assignment can add", () => {
    const a = analyseResults(design(), [counts("Control", 500, 50), counts("Treatment", 500, 55)], null, {
      assigned: [20_000, 20_000],
    });
    expect(a.decision.verdict).toBe("keep-running");
    // R power.prop.test(p1 = 0.1, p2 = 0.11, power = 0.8): n = 14,750.79 per group → 14,751 − 500 measured
    expect(a.decision.extraPerArm).toBe(14_751 - 500);
    expect(a.decision.capacityLeft).toBe(19_500);
  });

  it("the card names the observed Control baseline it sizes on, beside the design's back-tested figure", () => {
    const a = analyseResults(design(), [counts("Control", 500, 50), counts("Treatment", 500, 55)], null, {
      assigned: [20_000, 20_000],
      planned: { perArm: 16_000, baseline: 0.095 },
    });
    // R power.prop.test(p1 = 0.1, p2 = 0.11, power = 0.8): n = 14,750.79 per group, at the observed 10.0%
    expect(a.decision.reasons.join(" ")).toContain(
      "At the observed Control rate of 10.0%, the planned MDE of 10% needs 14,751 customers per arm (the design planned 16,000 from the back-tested 9.5%): 14,251 more customers per arm reach the planned MDE of 10% at power 80%; the assignment can still add 19,500.",
    );
    const stop = analyseResults(design(), [counts("Control", 500, 50), counts("Treatment", 500, 55)], null, {
      assigned: [600, 600],
    });
    expect(stop.decision.reasons.join(" ")).toMatch(
      /At the observed Control rate of 10\.0%, the planned MDE of 10% needs 14,751 customers per arm; the frozen assignment holds 600 in Control/,
    );
  });

  it("Stop: can't be decided when the planned MDE needs more than the whole audience, with the smallest detectable effect", () => {
    const a = analyseResults(design(), [counts("Control", 500, 50), counts("Treatment", 500, 55)], null, {
      assigned: [600, 600],
    });
    expect(a.decision.verdict).toBe("cannot-decide");
    expect(a.decision.extraPerArm).toBeNull();
    expect(a.decision.capacityLeft).toBe(100);
    // 600 per arm at p = 0.1, 80% power, α 0.05: R power.prop.test's strict formula solved for p2 with scipy 1.17
    // (brentq on Φ((d − z·se0)/se1) + Φ((−d − z·se0)/se1) = 0.8) gives p2 = 0.1537859036567954 → +53.786%
    expect(a.decision.smallestDetectable!).toBeCloseTo(0.5378590365679539, 6);
    expect(a.decision.reasons.join(" ")).toMatch(/can add only 100 more.*smallest detectable lift is \+53\.8%/);
  });

  it("Don't ship (not 'keep running … 0 more customers') when the planned size is reached without a significant lift", () => {
    const a = analyseResults(design(), [counts("Control", 20_000, 2000), counts("Treatment", 20_000, 2010)], null, {
      assigned: [20_000, 20_000],
    });
    expect(a.decision).toMatchObject({ verdict: "dont-ship", extraPerArm: null });
    expect(a.decision.reasons.join(" ")).toMatch(/found no significant lift: any lift is smaller than the MDE/);
  });

  it("'significant' only when the relative interval shown excludes 0 (the pooled absolute p of 0.025 alone is not enough)", () => {
    // 50/50,000 vs 75/50,000: pooled z-test p = 0.025 on the difference, but the relative interval is −3.6% to +103.6%
    const a = analyseResults(design(), [counts("Control", 50_000, 50), counts("Treatment", 50_000, 75)], null, {
      assigned: [50_000, 50_000],
    });
    expect(a.metrics.conversion[0].absolute.pValue).toBeLessThan(0.05);
    const c = a.primary.comparisons[0];
    expect(c.relative.ci![0]!).toBeLessThan(0);
    expect(c.significant).toBe(false);
    expect(a.decision.headline[0]).toMatch(/not significant at α 0.05 — the interval includes 0/);
  });

  it("a sample ratio mismatch stops the reading", () => {
    const a = analyseResults(design(), [counts("Control", 10_000, 500), counts("Treatment", 10_500, 800)], null);
    expect(a.decision).toMatchObject({
      verdict: "cannot-decide",
      reasons: [expect.stringMatching(/^Sample ratio mismatch/)],
    });
  });
});

describe("guardrails never disappear", () => {
  const outcomes = (refundsInControl: boolean): CustomerOutcome[] =>
    Array.from({ length: 400 }, (_, i) => ({
      arm: i % 2,
      converted: i % 3 === 0,
      revenue: i % 3 === 0 ? 20 + (i % 17) : 0,
      orders: i % 3 === 0 ? 1 + (i % 2) : 0,
      refunded: i % 3 === 0 && i % 5 === 0 && (refundsInControl || i % 2 === 1) ? 5 : 0,
      preSpend: i % 11,
    }));
  it("a refund-rate guardrail with no refunds in control is 'not measurable', with the reason", () => {
    const arms = armStatsFromOutcomes(["Control", "Treatment"], outcomes(false));
    const a = analyseResults(design(), arms, outcomes(false), { assigned: [200, 200] });
    const refund = a.guardrails.find((g) => g.metric === "refund_rate")!;
    expect(refund).toMatchObject({
      arm: "Treatment",
      verdict: "not-measurable",
      reason: "control had no refunds, so a relative change in the refund rate is undefined",
    });
    expect(a.decision.reasons.join(" ")).toMatch(/refund rate .* not measurable: control had no refunds/);
    expect(a.guardrails.find((g) => g.metric === "aov")!.verdict).not.toBe("not-measurable");
  });
  it("with refunds in both arms it is tested (fixed-horizon and sequential bounds)", () => {
    const arms = armStatsFromOutcomes(["Control", "Treatment"], outcomes(true));
    const fixed = analyseResults(design(), arms, null).guardrails.find((g) => g.metric === "refund_rate")!;
    const seq = analyseResults(design({ engine: "sequential" }), arms, null).guardrails.find(
      (g) => g.metric === "refund_rate",
    )!;
    expect(fixed.verdict).not.toBe("not-measurable");
    expect(seq.bound!).toBeGreaterThan(fixed.bound!); // the always-valid bound is wider
  });
});

describe("decision: per engine", () => {
  it("Bayesian: the card says the chance to win and the loss if it is worse, in words", () => {
    const a = analyseResults(
      design({ engine: "bayesian" }),
      [counts("Control", 3000, 300), counts("Treatment", 3000, 335)],
      null,
      { assigned: [20_000, 20_000] },
    );
    expect(a.engine).toMatchObject({ name: "bayesian", prior: null });
    const c = a.primary.comparisons[0];
    expect(a.decision.headline[0]).toMatch(
      new RegExp(
        `^${Math.round(c.relative.chanceToWin! * 100)}% chance that Treatment beats Control on conversion \\(lift \\+11\\.7%, 95% credible interval .*\\); if you ship it and it is worse, you lose \\d+\\.\\d% on average \\(expected loss \\d+\\.\\d\\d%\\)\\.$`,
      ),
    );
    expect(a.decision.verdict).toBe(c.relative.chanceToWin! >= 0.95 ? "ship" : "keep-running");
  });

  it("Bayesian with the proper prior N(0, 0.3²) reports it; a 95% chance to win ships", () => {
    const a = analyseResults(
      design({ engine: "bayesian", prior: { proper: true, mean: 0, sd: 0.3 } }),
      [counts("Control", 10_000, 1000), counts("Treatment", 10_000, 1100)],
      null,
      { assigned: [10_000, 10_000] },
    );
    expect(a.engine.prior).toEqual({ mean: 0, sd: 0.3 });
    expect(a.primary.comparisons[0].relative.chanceToWin!).toBeGreaterThan(0.95);
    expect(a.decision.verdict).toBe("ship");
  });

  it("sequential: wider always-valid intervals; the interim reading says the days left", () => {
    const arms = [counts("Control", 2000, 200), counts("Treatment", 2000, 236)];
    const fixed = analyseResults(design(), arms, null, { assigned: [5000, 5000] });
    const seq = analyseResults(design({ engine: "sequential" }), arms, null, { assigned: [5000, 5000] });
    expect(seq.primary.comparisons[0].relative.ci![0]!).toBeLessThan(fixed.primary.comparisons[0].relative.ci![0]!);
    const interim = analyseRecorded(design(), arms, {
      assigned: [5000, 5000],
      interim: { daysObserved: 12, windowDays: 30 },
    });
    expect(interim.engine).toMatchObject({ name: "sequential", interim: true, tuning: 5000 });
    expect(interim.decision).toMatchObject({ verdict: "keep-running", daysLeft: 18, extraPerArm: null });
  });
});

describe("no contradiction, over 600 seeded random result sets and the three engines", () => {
  it("keep running always names what is missing and never more than the audience can give; 'significant' means the interval excludes 0", () => {
    const random = mulberry32(11);
    for (let i = 0; i < 600; i++) {
      const n = 50 + Math.floor(random() * 5000);
      const p = 0.02 + random() * 0.3;
      const lift = (random() - 0.4) * 0.5;
      const conv = (q: number) => Math.max(1, Math.min(n - 1, Math.round(n * q + (random() - 0.5) * Math.sqrt(n))));
      const assigned = n + Math.floor(random() * 3 * n);
      const engine = (["fixed", "sequential", "bayesian"] as const)[i % 3];
      const a = analyseResults(
        design({ engine }),
        [counts("Control", n, conv(p)), counts("Treatment", n, conv(p * (1 + lift)))],
        null,
        { assigned: [assigned, assigned] },
      );
      const d = a.decision;
      if (d.verdict === "keep-running") {
        expect(d.extraPerArm!).toBeGreaterThan(0);
        expect(d.extraPerArm!).toBeLessThanOrEqual(d.capacityLeft!);
      } else expect(d.extraPerArm).toBeNull();
      if (d.verdict === "cannot-decide" && !a.srm.flagged)
        expect(d.reasons.join(" ")).toMatch(/smallest detectable lift|No effect is detectable|no spread/);
      for (const c of a.primary.comparisons) {
        if (c.significant) expect(c.relative.ci![0]! > 0 || c.relative.ci![1]! < 0).toBe(true);
        if (engine !== "bayesian" && !c.relative.reason)
          expect(d.headline.find((h) => h.startsWith(`${c.arm}:`))!.includes("not significant")).toBe(!c.significant);
      }
    }
  });
});
