import { describe, expect, it } from "vitest";
import { bayesian, gaussianRisk, PROPER_PRIOR } from "~/experiments/stats/bayesian";
import { effectMoments, proportionMoments, REASONS, sampleMeanMoments } from "~/experiments/stats/effect";
import { compareWithEngine, type MetricPair } from "~/experiments/stats/engines";
import { oneSidedEnd, sequentialOneSided } from "~/experiments/stats/sequential";
import { mulberry32 } from "~/lib/random";

// The sequential and Bayesian engines pinned to gbstats 0.8.0's own tests (growthbook/growthbook, packages/stats/tests;
// definitions in ../shared/STATS-BAYES-SEQUENTIAL.md). gbstats rounds to 5 decimals (DECIMALS = 5), so do we, unless
// the test states more digits. Each number names its source test.

const r5 = (x: number | null | undefined) => (x === null || x === undefined ? x : Math.round(x * 1e5) / 1e5);
const prop = (name: string, users: number, conversions: number) => ({ name, users, conversions });
const mean = (name: string, n: number, sum: number, sumSquares: number) => ({ name, n, sum, sumSquares });
const binom4951: MetricPair = { kind: "proportion", control: prop("A", 100, 49), treatment: prop("B", 100, 51) };
const norm10: MetricPair = {
  kind: "mean",
  control: mean("A", 10, 100, 1002.25),
  treatment: mean("B", 10, 105, 1111.5),
};
const seqMeans: MetricPair = {
  kind: "mean",
  control: mean("A", 3000, 1396.87, 52377.9767),
  treatment: mean("B", 3461, 2422.7, 134698.29),
};

describe("Bayesian engine (gbstats tests/bayesian/test_tests.py)", () => {
  it("TestBinom.test_bayesian_binomial_ab_test: 49/100 vs 51/100, relative, flat prior", () => {
    const r = compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05 }).relative;
    expect(r5(r.estimate)).toBe(0.04082); // expected=0.04082
    expect(r.ci!.map(r5)).toEqual([-0.24779, 0.32943]); // ci=[-0.24779, 0.32943]
    expect(r5(r.chanceToWin)).toBe(0.60918); // chance_to_win=0.60918
    expect(r.risk!.map(r5)).toEqual([0.0814, 0.04058]); // risk=[0.0814, 0.04058]
    const m = effectMoments(proportionMoments(100, 49), proportionMoments(100, 51), "relative");
    expect(m.ok && r5(Math.sqrt(m.variance))).toBe(0.14725); // uplift stddev=0.14725
  });

  it("49/100 vs 51/100 on the absolute scale: chance to win 0.6114 (STATS-BAYES-SEQUENTIAL.md §6.4, computed with gbstats)", () => {
    expect(compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05 }).absolute.chanceToWin!).toBeCloseTo(
      0.6114,
      4,
    );
  });

  it("TestNorm.test_bayesian_gaussian_ab_test: means 10 vs 10.5, n = 10, relative", () => {
    const c = compareWithEngine(norm10, { engine: "bayesian", alpha: 0.05 });
    const r = c.relative;
    expect(r5(r.estimate)).toBe(0.05); // expected=0.05
    expect(r.ci!.map(r5)).toEqual([-0.02, 0.12]); // ci=[-0.02, 0.12]
    expect(r5(r.chanceToWin)).toBe(0.91923); // chance_to_win=0.91923
    expect(r.risk!.map(r5)).toEqual([0.05131, 0.00131]); // risk=[0.05131, 0.00131]
    // the absolute risk of the same data: gbstats' earlier GaussianBayesianABTest test, risk=[0.51256, 0.01256]
    expect(c.absolute.risk!.map(r5)).toEqual([0.51256, 0.01256]);
  });

  it("TestNorm.test_bayesian_gaussian_ab_test_informative: proper prior N(0.1, 0.1) on the lift", () => {
    const r = compareWithEngine(norm10, {
      engine: "bayesian",
      alpha: 0.05,
      prior: { mean: 0.1, variance: 0.1, proper: true },
    }).relative;
    expect(r5(r.estimate)).toBe(0.05063); // expected=0.05063
    expect(r.ci!.map(r5)).toEqual([-0.01893, 0.12019]); // ci=[-0.01893, 0.12019]
    expect(r5(r.chanceToWin)).toBe(0.92315); // chance_to_win=0.92315
    expect(r.risk!.map(r5)).toEqual([0.05186, 0.00123]); // risk=[0.05186, 0.00123]
  });

  it("a prior given with proper = false is ignored (STATS-BAYES-SEQUENTIAL.md §3.2)", () => {
    const flat = compareWithEngine(norm10, { engine: "bayesian", alpha: 0.05 });
    const ignored = compareWithEngine(norm10, {
      engine: "bayesian",
      alpha: 0.05,
      prior: { mean: 0.1, variance: 0.1, proper: false },
    });
    expect(ignored).toEqual(flat);
  });

  it("TestGaussianEffectRelativeAbsolutePriors: the prior rescaled by the control mean keeps chance to win close on both scales", () => {
    const pair: MetricPair = {
      kind: "mean",
      control: mean("c", 100, 1000, 200000),
      treatment: mean("t", 100, 1100, 200005),
    };
    const c = compareWithEngine(pair, {
      engine: "bayesian",
      alpha: 0.05,
      prior: { mean: 1, variance: 1, proper: true },
    });
    expect(Math.abs(c.absolute.chanceToWin! - c.relative.chanceToWin!)).toBeLessThan(0.005); // assertAlmostEqual(places=2)
  });

  it("the default proper prior N(0, 0.3²) shrinks the lift toward 0 (GrowthBook DEFAULT_PROPER_PRIOR_STDDEV = 0.3)", () => {
    const flat = compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05 }).relative;
    const proper = compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05, prior: PROPER_PRIOR }).relative;
    // posterior mean Δ·τ²/(τ² + V) with V = 0.2499/(100·0.49²) + 0.2499·0.51²/(100·0.49⁴) (§2), τ² = 0.09
    const v = 0.2499 / (100 * 0.49 ** 2) + (0.2499 * 0.51 ** 2) / (100 * 0.49 ** 4);
    expect(proper.estimate!).toBeCloseTo(((0.02 / 0.49) * 0.09) / (0.09 + v), 12);
    expect(proper.chanceToWin!).toBeLessThan(flat.chanceToWin!);
  });

  it("inverse metric: chance to win is 1 − sf and the risks swap; the interval is unchanged (§3.3)", () => {
    const plain = compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05 }).relative;
    const inverse = compareWithEngine(binom4951, { engine: "bayesian", alpha: 0.05, inverse: true }).relative;
    expect(inverse.chanceToWin!).toBeCloseTo(1 - plain.chanceToWin!, 15);
    expect(inverse.risk).toEqual([plain.risk![1], plain.risk![0]]);
    expect(inverse.ci).toEqual(plain.ci);
  });

  it("risk equals a seeded Monte Carlo of E[max(δ,0)] and E[max(−δ,0)] (as TestEffectBayesianABTest checks to 3 decimals)", () => {
    const random = mulberry32(20_240_329);
    const [mu, s] = [0.5365, 0.2];
    let up = 0;
    let down = 0;
    const n = 400_000;
    for (let i = 0; i < n; i += 2) {
      const rr = Math.sqrt(-2 * Math.log(1 - random()));
      const th = 2 * Math.PI * random();
      for (const z of [rr * Math.cos(th), rr * Math.sin(th)]) {
        const y = mu + s * z;
        if (y > 0) up += y;
        else down -= y;
      }
    }
    const [control, treatment] = gaussianRisk(mu, s);
    expect(control).toBeCloseTo(up / n, 3);
    expect(treatment).toBeCloseTo(down / n, 3);
    expect(control - treatment).toBeCloseTo(mu, 14); // riskControl − riskTreatment = μ
    expect(gaussianRisk(-10, 0.1)).toEqual([0, 10]); // |μ/s| > 37: [max(μ,0), max(−μ,0)]
  });

  it("TestBinom.test_missing_data: gbstats returns chance 0.5; Campaign Lab returns null with the reason", () => {
    const empty = compareWithEngine(
      { kind: "proportion", control: prop("A", 0, 0), treatment: prop("B", 0, 0) },
      { engine: "bayesian", alpha: 0.05 },
    );
    expect(empty.relative).toEqual({
      estimate: null,
      ci: null,
      chanceToWin: null,
      risk: null,
      reason: REASONS.zeroVariance,
    });
    const noBuyer = compareWithEngine(
      { kind: "proportion", control: prop("A", 100, 0), treatment: prop("B", 100, 5) },
      { engine: "bayesian", alpha: 0.05 },
    );
    expect(noBuyer.absolute.chanceToWin).toBeNull();
    // a zero control mean with spread: zero variance on the relative scale (V = 0), zero baseline on the absolute (§2)
    const zeroMean = { kind: "mean", control: mean("A", 4, 0, 8), treatment: mean("B", 4, 4, 10) } as const;
    const z = compareWithEngine(zeroMean, { engine: "bayesian", alpha: 0.05 });
    expect([z.relative.reason, z.absolute.reason]).toEqual([REASONS.zeroVariance, REASONS.zeroBaseline]);
    expect(bayesian({ ok: false, reason: "x" }, "relative", 1, { alpha: 0.05 }).chanceToWin).toBeNull();
  });
});

describe("Sequential engine (gbstats tests/frequentist/test_tests.py)", () => {
  it("TestSequentialTTest.test_sequential_test_runs: N* = 1,000, relative", () => {
    const r = compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, tuning: 1000 }).relative;
    expect(r5(r.estimate)).toBe(0.50336); // expected=0.50336
    expect(r.ci!.map(r5)).toEqual([-0.55844, 1.56516]); // ci=(-0.55844, 1.56516)
    expect(r.pValue).toBe(1); // pValue=1
  });

  it("TestSequentialTTest.test_sequential_test_runs_prop: 1396/3000 vs 2422/3461, default N* = 5,000", () => {
    const r = compareWithEngine(
      { kind: "proportion", control: prop("A", 3000, 1396), treatment: prop("B", 3461, 2422) },
      { engine: "sequential", alpha: 0.05 },
    ).relative;
    expect(r5(r.estimate)).toBe(0.50386); // expected=0.50386
    expect(r.ci!.map(r5)).toEqual([0.40098, 0.60675]); // ci=(0.40098, 0.60675)
    expect(r5(r.pValue)).toBe(0); // pValue=0.0
  });

  it("TestSequentialTTest.test_sequential_test_tuning_as_expected: N* near n gives the narrowest interval", () => {
    const ci = (tuning: number) =>
      compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, tuning }).relative.ci as [number, number];
    const [below, near, above] = [ci(10), ci(6461), ci(10000)];
    expect(below[0] < above[0] && below[1] > above[1]).toBe(true);
    expect(below[0] < near[0] && below[1] > near[1]).toBe(true);
    expect(above[0] < near[0] && above[1] > near[1]).toBe(true);
  });

  it("TestSequentialOneSidedGreaterTTest / LesserTTest: the one-sided intervals match exactly", () => {
    const greater = compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, sides: 1 });
    expect(greater.relative.ci![0]).toBeCloseTo(-0.42356454602790883, 12); // ci=(-0.42356454602790883, inf)
    expect(greater.absolute.ci![0]).toBeCloseTo(-0.12656844172804982, 12); // ci=(-0.12656844172804982, inf)
    expect(greater.relative.ci![1]).toBeNull();
    const lesser = compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, sides: 1, inverse: true });
    expect(lesser.relative.ci![1]).toBeCloseTo(1.4302867177403806, 12); // ci=(-inf, 1.4302867177403806)
    expect(lesser.absolute.ci![1]).toBeCloseTo(0.5953217750613832, 12); // ci=(-inf, 0.5953217750613832)
  });

  it("one-sided p-value: the exact root of the interval end (gbstats' bisection gives 0.46316491943359384, within 1%)", () => {
    const m = effectMoments(
      sampleMeanMoments(3000, 1396.87, 52377.9767),
      sampleMeanMoments(3461, 2422.7, 134698.29),
      "absolute",
    );
    if (!m.ok) throw new Error("moments");
    const p = sequentialOneSided(m, 0.05, "greater").pValue!;
    expect(Math.abs(p - 0.46316491943359384) / 0.46316491943359384).toBeLessThan(0.01);
    // a bisection to 1e-13 on the level finds the same root
    let [lo, hi] = [1e-9, 0.9999];
    for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
      const mid = (lo + hi) / 2;
      if (oneSidedEnd(m, 0.05, mid, "greater") < 0) lo = mid;
      else hi = mid;
    }
    expect(p).toBeCloseTo((lo + hi) / 2, 12);
    expect(Math.abs(oneSidedEnd(m, 0.05, p, "greater"))).toBeLessThan(1e-12);
    // gbstats clips to 0.4999 where the root is beyond it (relative scale) or absent (Δ the other way): ours is the root, or 1
    expect(
      compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, sides: 1 }).relative.pValue!,
    ).toBeGreaterThan(0.4999);
    expect(
      compareWithEngine(seqMeans, { engine: "sequential", alpha: 0.05, sides: 1, inverse: true }).relative.pValue,
    ).toBe(1);
  });

  it("missing variance: null with the reason, never gbstats' default [0, 0] and p = 1", () => {
    const r = compareWithEngine(
      { kind: "mean", control: mean("A", 1, 5, 25), treatment: mean("B", 3461, 2422.7, 134698.29) },
      { engine: "sequential", alpha: 0.05 },
    );
    expect(r.relative).toEqual({ estimate: null, ci: null, pValue: null, reason: REASONS.zeroVariance });
  });
});

describe("Fixed-horizon engine: today's tests, with the same guards", () => {
  it("keeps the Welch figures (gbstats TestTwoSidedTTest.test_two_sided_ttest_absolute: pValue 0.02016, ci (0.04538, 0.53462))", () => {
    const pair: MetricPair = {
      kind: "mean",
      control: mean("A", 3407, 1396.87, 52377.9767),
      treatment: mean("B", 3461, 2422.7, 134698.29),
    };
    const a = compareWithEngine(pair, { engine: "fixed", alpha: 0.05 }).absolute;
    expect(r5(a.pValue)).toBe(0.02016);
    expect(a.ci!.map(r5)).toEqual([0.04538, 0.53462]);
  });

  it("a control without conversions: null with the reason on both scales", () => {
    const c = compareWithEngine(
      { kind: "proportion", control: prop("A", 100, 0), treatment: prop("B", 100, 5) },
      { engine: "fixed", alpha: 0.05 },
    );
    expect(c.relative).toEqual({ estimate: null, ci: null, pValue: null, reason: REASONS.zeroVariance });
  });
});
