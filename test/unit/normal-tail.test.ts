import { describe, expect, it } from "vitest";
import { pnorm, pt } from "~/experiments/stats/distributions";

// Φ(x) in the far tails against scipy.stats.norm.cdf (SciPy 1.10.1, Debian python3-scipy), relative error.
const SCIPY: [number, number][] = [
  [-1.96, 0.024997895148220435],
  [-4.9, 4.791832765903185e-7],
  [-5, 2.866515718791933e-7],
  [-5.01, 2.7215017728558194e-7],
  [-6, 9.865876450376946e-10],
  [-6.65, 1.4654650977302715e-11],
  [-8, 6.22096057427174e-16],
  [-10, 7.61985302416047e-24],
  [-20, 2.7536241186061556e-89],
  [-37, 5.7255712225239266e-300],
  [5.5, 0.9999999810104375],
];

describe("normal CDF tails", () => {
  for (const [x, p] of SCIPY) {
    it(`Φ(${x}) = ${p}`, () => expect(Math.abs(pnorm(x) - p) / p).toBeLessThan(1e-9));
  }
});

// Student's t at large degrees of freedom (Welch tests on millions of users) against scipy.stats.t.cdf (SciPy 1.10.1):
// log B(a, b) by R's lbeta keeps the incomplete beta's prefactor exact where plain log-gamma differences cancel.
const T_SCIPY: [number, number][] = [
  [10, 0.11138290860342223],
  [1e4, 0.09681546609113434],
  [1e5, 0.09680198277159005],
  [2e5, 0.09680123367958426],
  [1e6, 0.09680063440456255],
];

describe("Student's t CDF at large df", () => {
  for (const [df, p] of T_SCIPY) {
    it(`t.cdf(−1.3, ${df}) = ${p}`, () => expect(Math.abs(pt(-1.3, df) - p) / p).toBeLessThan(1e-10));
  }
});
