import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Random } from "../../seed/random";
import {
  bgnbdLogLikelihood,
  bgnbdTotal,
  conditionalExpectedPurchases,
  expectedAverageValue,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaTotal,
  hyp2f1,
  probabilityAlive,
  type BgNbd,
} from "~/planning/clv";
import { nelderMead } from "~/planning/optimise";
import { fixture } from "../support/db";

/** E[X(t)]: expected purchases of a new customer in t weeks (FHL 2005 eq. 9), through the model's ₂F₁. */
const expectedPurchases = ({ r, alpha, a, b }: BgNbd, t: number) =>
  ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)));

// test/fixtures/cdnow_summary.csv: the CDNOW calibration summary as published with the models (copied from
// ../shared/data). Published estimates (Fader, Hardie & Lee 2005; ../shared/data/README.md): BG/NBD r 0.243,
// α 4.414, a 0.793, b 2.426, log-likelihood −9,582.4; Gamma-Gamma on the 946 repeat buyers p 6.25, q 3.74, v 15.44.
const rows = readFileSync(fixture("cdnow_summary.csv"), "utf8")
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((l) => l.split(",").map(Number));
const customers = rows.map(([, x, tx, T]) => ({ x, tx, T }));
const PUBLISHED = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const sig3 = (x: number) => Number(x.toPrecision(3));

describe("BG/NBD on CDNOW", () => {
  const fit = fitBgNbd(customers);
  it("reproduces the published estimates to 3 significant digits and the log-likelihood", () => {
    expect(customers).toHaveLength(2357);
    expect({ r: sig3(fit.r), alpha: sig3(fit.alpha), a: sig3(fit.a), b: sig3(fit.b) }).toEqual({
      r: 0.243,
      alpha: 4.41,
      a: 0.793,
      b: 2.43,
    });
    expect(fit.logLikelihood).toBeCloseTo(-9582.43, 1);
  });

  it("gives the published conditional expectation, 1.226 purchases in 39 weeks for (x 2, t_x 30.43, T 38.86)", () => {
    expect(conditionalExpectedPurchases(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });

  it("P(alive) equals the closed form computed by hand", () => {
    // x = 2, t_x = 30.43, T = 38.86: 1 / (1 + a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x))
    const expected = 1 / (1 + (0.793 / (2.426 + 1)) * Math.pow((4.414 + 38.86) / (4.414 + 30.43), 2.243));
    expect(probabilityAlive(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(expected, 14);
    expect(probabilityAlive(PUBLISHED, { x: 0, tx: 0, T: 38.86 })).toBe(1);
  });

  it("E[X(t)] agrees with a seeded simulation of the BG/NBD process (200,000 customers, 52 weeks)", () => {
    const rng = new Random(11);
    const random = rng.next;
    const gamma = (shape: number, scale: number) => rng.gamma(shape, scale);
    const { r, alpha, a, b } = PUBLISHED;
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const lambda = gamma(r, 1 / alpha);
      const ga = gamma(a, 1);
      const p = ga / (ga + gamma(b, 1));
      let t = 0;
      for (;;) {
        t += -Math.log(1 - random()) / lambda;
        if (t > 52) break;
        total++;
        if (random() < p) break; // drops out after this purchase
      }
    }
    const simulated = total / n;
    const exact = expectedPurchases(PUBLISHED, 52);
    expect(Math.abs(simulated - exact) / exact).toBeLessThan(0.02);
  });

  it("the log-likelihood of a non-repeater has its closed form", () => {
    // x = 0: LL = r ln α − r ln(α + T)
    expect(bgnbdLogLikelihood(PUBLISHED, { x: 0, tx: 0, T: 38.86 })).toBeCloseTo(
      0.243 * Math.log(4.414) - 0.243 * Math.log(4.414 + 38.86),
      12,
    );
  });
});

describe("Gamma-Gamma on CDNOW", () => {
  it("reproduces p 6.25, q 3.74, v 15.44 on the 946 repeat buyers", () => {
    const buyers = rows.filter(([, x]) => x > 0).map(([, x, , , zbar]) => ({ x, m: zbar }));
    expect(buyers).toHaveLength(946);
    const fit = fitGammaGamma(buyers);
    expect({ p: sig3(fit.p), q: sig3(fit.q), v: sig3(fit.v) }).toEqual({ p: 6.25, q: 3.74, v: 15.4 });
    expect(fit.v).toBeCloseTo(15.44, 1);
    // the expected spend shrinks an observed average towards the population mean p·v/(q − 1)
    const population = (fit.p * fit.v) / (fit.q - 1);
    const e = expectedAverageValue(fit, 1, 100);
    expect(e).toBeLessThan(100);
    expect(e).toBeGreaterThan(population);
  });
});

describe("numerical building blocks", () => {
  it("the fits' total log-likelihoods are the sums of the per-customer ones, to the last bit (CDNOW, the tail)", () => {
    const buyers = rows.filter(([, x]) => x > 0).map(([, x, , , zbar]) => ({ x, m: zbar }));
    // CDNOW's x stops at 29: a customer of 120 purchases takes logRising's log-gamma branch (x > 50)
    const all = [...customers, { x: 120, tx: 30, T: 38 }];
    const bgnbd = bgnbdTotal(all);
    for (const p of [PUBLISHED, { r: 3, alpha: 0.1, a: 1e-7, b: 1e4 }, { r: 0.01, alpha: 100, a: 20, b: 0.01 }])
      expect(bgnbd(p)).toBe(all.reduce((s, c) => s + bgnbdLogLikelihood(p, c), 0));
    const gg = gammaGammaTotal(buyers);
    for (const p of [
      { p: 6.25, q: 3.74, v: 15.44 },
      { p: 0.01, q: 100, v: 1e-3 },
    ])
      expect(gg(p)).toBe(buyers.reduce((s, c) => s + gammaGammaLogLikelihood(p, c.x, c.m), 0));
  });

  it("₂F₁ matches closed forms", () => {
    for (const z of [0.1, 0.5, 0.9]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 12);
      expect(hyp2f1(0.5, 1, 1, z)).toBeCloseTo(Math.pow(1 - z, -0.5), 12);
    }
  });

  it("Nelder–Mead finds the Rosenbrock minimum", () => {
    const r = nelderMead(([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, [-1.2, 1]);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });
});
