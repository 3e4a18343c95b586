import { describe, expect, it } from "vitest";
import { pnorm } from "~/experiments/stats/distributions";

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
