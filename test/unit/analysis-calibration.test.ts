import { describe, expect, it } from "vitest";
import { compareMeans, compareProportions, type MeanArm } from "~/experiments/stats/analysis";
import { analysePower, type PowerInput } from "~/experiments/stats/power";
import { mulberry32 } from "~/lib/random";

// Calibration of the analysis module by simulation (seeded, no fixtures): A/A experiments must reject at about α, and
// A/B experiments sized by analysePower for an effect must reject at about the planned power. With 2,000 simulations
// the Monte Carlo standard error is √(0.05·0.95/2000) ≈ 0.49 points at 5% and √(0.8·0.2/2000) ≈ 0.89 points at 80%,
// so the bands [4%, 6%] and 80% ± 3 points are about ±2 and ±3.4 standard errors. Binomial counts are exact (sums of
// Bernoulli draws from mulberry32); revenue is lognormal by Box–Muller.

const SIMULATIONS = 2_000;
const ALPHA = 0.05;

/** Binomial(n, p) as a sum of n Bernoulli(p) draws: exact, and fast enough for ~10⁸ draws. */
function binomial(random: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

/** Standard normal pairs by Box–Muller (1 − u keeps the logarithm finite). */
function normals(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** Sufficient statistics of n lognormal(μ, σ) per-user revenues. */
function lognormalArm(name: string, normal: () => number, n: number, mu: number, sigma: number): MeanArm {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.exp(mu + sigma * normal());
    sum += v;
    sumSquares += v * v;
  }
  return { name, n, sum, sumSquares };
}

const rate = (hits: number) => hits / SIMULATIONS;

describe("A/A experiments: false-positive rate at α = 0.05", () => {
  it("compareProportions, 5,000 users per arm at p = 0.1", () => {
    const random = mulberry32(20_240_601);
    const users = 5_000;
    let absolute = 0;
    let relative = 0;
    for (let s = 0; s < SIMULATIONS; s++) {
      const control = { name: "control", users, conversions: binomial(random, users, 0.1) };
      const treatment = { name: "treatment", users, conversions: binomial(random, users, 0.1) };
      const result = compareProportions(control, treatment, ALPHA);
      if (result.absolute.pValue < ALPHA) absolute++;
      if (result.relative.pValue < ALPHA) relative++;
    }
    console.info(
      `A/A proportions: false-positive rate ${rate(absolute)} (absolute, pooled z), ${rate(relative)} (relative, delta method)`,
    );
    expect(rate(absolute)).toBeGreaterThanOrEqual(0.04);
    expect(rate(absolute)).toBeLessThanOrEqual(0.06);
    expect(rate(relative)).toBeGreaterThanOrEqual(0.04);
    expect(rate(relative)).toBeLessThanOrEqual(0.06);
  });

  it("compareMeans (Welch) on lognormal revenue, 1,000 users per arm", () => {
    const normal = normals(mulberry32(19_700_101));
    const n = 1_000;
    // lognormal(μ = 3, σ = 1): mean ≈ 33, sd ≈ 43, skewness ≈ 6
    let absolute = 0;
    let relative = 0;
    for (let s = 0; s < SIMULATIONS; s++) {
      const result = compareMeans(
        lognormalArm("control", normal, n, 3, 1),
        lognormalArm("treatment", normal, n, 3, 1),
        ALPHA,
      );
      if (result.absolute.pValue < ALPHA) absolute++;
      if (result.relative.pValue < ALPHA) relative++;
    }
    console.info(
      `A/A means: false-positive rate ${rate(absolute)} (absolute, Welch), ${rate(relative)} (relative, delta method)`,
    );
    expect(rate(absolute)).toBeGreaterThanOrEqual(0.04);
    expect(rate(absolute)).toBeLessThanOrEqual(0.06);
    expect(rate(relative)).toBeGreaterThanOrEqual(0.04);
    expect(rate(relative)).toBeLessThanOrEqual(0.06);
  });
});

describe("A/B experiments at the planned MDE: rejection rate ≈ the planned power", () => {
  it("10% baseline, +10% relative MDE, α 0.05 two-sided, 80% power (pooled)", () => {
    const input: PowerInput = {
      metric: "proportion",
      baseline: 0.1,
      mde: 0.1,
      relative: true,
      alpha: 0.05,
      power: 0.8,
      sides: 2,
      ratio: 1,
      arms: 1,
      method: "pooled",
    };
    const plan = analysePower(input);
    const n = plan.nControl;
    expect(plan.nTreatment).toBe(n);
    // R power.prop.test(p1 = 0.1, p2 = 0.11, power = 0.8, strict = TRUE) gives n = 14750.75
    expect(n).toBe(14_751);
    const random = mulberry32(8_675_309);
    let rejected = 0;
    for (let s = 0; s < SIMULATIONS; s++) {
      const control = { name: "control", users: n, conversions: binomial(random, n, 0.1) };
      const treatment = { name: "treatment", users: n, conversions: binomial(random, n, 0.11) };
      if (compareProportions(control, treatment, input.alpha).absolute.pValue < input.alpha) rejected++;
    }
    console.info(`A/B at n = ${n} per arm: rejection rate ${rate(rejected)} (planned power ${plan.power.toFixed(4)})`);
    expect(Math.abs(rate(rejected) - 0.8)).toBeLessThanOrEqual(0.03);
  });
});
