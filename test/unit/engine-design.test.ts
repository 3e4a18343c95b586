import { describe, expect, it } from "vitest";
import { designSchema } from "~/experiments/design";
import { DEFAULT_DESIGN, designErrors, designFromForm } from "~/experiments/design-form";
import { parseDesignInput } from "~/experiments/design-input";
import { describeIssues } from "~/lib/validation";
import { guardrailPower, guardrailPowers } from "~/experiments/stats/sizing";

// The engine chosen per experiment (design.stats.engine, tuning N*, prior on the lift) and the guardrails' power.

const form = (overrides: Record<string, string>) => {
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
    ...overrides,
  };
  for (const [k, v] of Object.entries(base)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
  return designFromForm(f);
};

describe("the engine in the design", () => {
  it("defaults to fixed-horizon, N* 5,000 and a flat prior; designs saved before the field parse to the default", () => {
    expect(form({}).data!.stats).toMatchObject({ engine: "fixed", tuning: 5000, prior: { proper: false } });
    const { engine: _e, tuning: _t, prior: _p, ...old } = DEFAULT_DESIGN.stats;
    expect(designSchema.parse({ ...DEFAULT_DESIGN, name: "Old", stats: old }).stats).toMatchObject({
      engine: "fixed",
      tuning: 5000,
      prior: { proper: false, mean: 0, sd: 0.3 },
    });
  });
  it("reads sequential with its tuning, and Bayesian with a proper prior typed in %", () => {
    expect(form({ engine: "sequential", tuning: "2,000" }).data!.stats).toMatchObject({
      engine: "sequential",
      tuning: 2000,
    });
    expect(form({ engine: "bayesian", priorProper: "on", priorMean: "0", priorSd: "30" }).data!.stats).toMatchObject({
      engine: "bayesian",
      prior: { proper: true, mean: 0, sd: 0.3 },
    });
  });
  it("the design file of the CLI and API (experiment create, POST /api/experiments) takes the engine in stats", () => {
    const bayes = parseDesignInput({
      name: "Win back",
      stats: { engine: "bayesian", prior: { proper: true, mean: 0, sd: 0.3 } },
    });
    expect(bayes.data!.stats).toMatchObject({
      engine: "bayesian",
      prior: { proper: true, sd: 0.3 },
      alpha: 0.05,
      mde: 0.1,
    });
    expect(
      parseDesignInput({ name: "Seq", stats: { engine: "sequential", tuning: 20_000 } }).data!.stats,
    ).toMatchObject({ engine: "sequential", tuning: 20_000 });
    expect(describeIssues(parseDesignInput({ name: "Bad", stats: { engine: "bayes" } }).error!)).toBe(
      "stats.engine: The engine is one of fixed, sequential, bayesian",
    );
  });

  it("names the field of a bad value", () => {
    expect(designErrors(form({ engine: "frequentist" }).error!)).toMatchObject({
      engine: "The engine is one of fixed, sequential, bayesian",
    });
    expect(designErrors(form({ engine: "sequential", tuning: "10" }).error!)).toMatchObject({
      tuning: "N* between 100 and 10,000,000",
    });
    expect(designErrors(form({ engine: "bayesian", priorProper: "on", priorSd: "0" }).error!)).toMatchObject({
      priorSd: "A prior sd above 0",
    });
  });
});

describe("guardrail power (one-sided non-inferiority at the margin, true change 0)", () => {
  it("Φ(margin/SE − z₁₋α) with SE = (sd/mean)·√(1/n_A + 1/n_B) (values computed with scipy 1.17 norm.cdf/ppf)", () => {
    expect(guardrailPower(0.05, 50, 40, 1000, 1000, 0.05)!).toBeCloseTo(0.40233371863186357, 12);
    expect(guardrailPower(0.1, 0.02, 0.2, 300, 300, 0.05)!).toBeCloseTo(0.06395705429703076, 12);
  });
  it("not computable without a baseline, with the reason", () => {
    const [refund, aov] = guardrailPowers(
      [
        { metric: "refund_rate", margin: 0.1 },
        { metric: "aov", margin: 0.05 },
      ],
      { aov: 50, aovSd: 40, refundRate: 0, refundSd: null },
      1000,
      1000,
      0.05,
    );
    expect(refund).toMatchObject({ power: null, reason: expect.stringMatching(/no refunds in the back-test window/) });
    expect(aov.power!).toBeCloseTo(0.40233371863186357, 12);
  });
});
