import { describe, expect, it } from "vitest";
import { compareWithEngine, type EngineSettings } from "~/experiments/stats/engines";
import { mulberry32 } from "~/lib/random";

// Calibration of the engines by simulation (issue #11 item 4; seeded, no fixtures): 2,000 A/A tests (no true effect),
// each looked at 10 times as customers arrive. Peeking at a fixed-horizon test rejects at some look far more often
// than α; the always-valid sequential interval keeps the chance of ever excluding 0 at or below α; the Bayesian chance
// to win ≥ 95% at one look is a one-sided 5% test under a flat prior, so it happens in about 5% of A/A tests.
// Monte Carlo standard error at 5% over 2,000 tests: √(0.05·0.95/2000) ≈ 0.49 points.

const TESTS = 2_000;
const LOOKS = 10;
const PER_LOOK = 300; // customers per arm added between looks: 3,000 per arm at the last look
const RATE = 0.1;
const ALPHA = 0.05;

/** Cumulative conversions of one arm at each look (Bernoulli draws from mulberry32). */
function arrivals(random: () => number): number[] {
  const out: number[] = [];
  let k = 0;
  for (let look = 0; look < LOOKS; look++) {
    for (let i = 0; i < PER_LOOK; i++) if (random() < RATE) k++;
    out.push(k);
  }
  return out;
}

const excludesZero = (ci: [number | null, number | null] | null) =>
  ci !== null && ((ci[0] !== null && ci[0] > 0) || (ci[1] !== null && ci[1] < 0));

describe("A/A calibration: 2,000 tests × 10 looks", () => {
  it("fixed-horizon peeking inflates false positives; sequential stays at or below α; Bayesian 95% chance to win ≈ 5% at one look", () => {
    const random = mulberry32(20_261_206);
    let fixedAnyLook = 0;
    let fixedLastLook = 0;
    let sequentialAnyLook = 0;
    let bayesLastLook = 0;
    const settings = (engine: EngineSettings["engine"]): EngineSettings => ({ engine, alpha: ALPHA });
    for (let t = 0; t < TESTS; t++) {
      const a = arrivals(random);
      const b = arrivals(random);
      let fixedHit = false;
      let seqHit = false;
      for (let look = 0; look < LOOKS; look++) {
        const users = PER_LOOK * (look + 1);
        const pair = {
          kind: "proportion",
          control: { name: "A", users, conversions: a[look] },
          treatment: { name: "B", users, conversions: b[look] },
        } as const;
        const fixed = compareWithEngine(pair, settings("fixed")).relative;
        if (excludesZero(fixed.ci)) {
          fixedHit = true;
          if (look === LOOKS - 1) fixedLastLook++;
        }
        if (excludesZero(compareWithEngine(pair, settings("sequential")).relative.ci)) seqHit = true;
        if (look === LOOKS - 1 && compareWithEngine(pair, settings("bayesian")).relative.chanceToWin! >= 0.95)
          bayesLastLook++;
      }
      if (fixedHit) fixedAnyLook++;
      if (seqHit) sequentialAnyLook++;
    }
    const rate = (x: number) => x / TESTS;
    console.info(
      `A/A × ${LOOKS} looks: fixed-horizon rejects at some look ${(rate(fixedAnyLook) * 100).toFixed(2)}% (at the last look ${(rate(fixedLastLook) * 100).toFixed(2)}%); ` +
        `sequential ${(rate(sequentialAnyLook) * 100).toFixed(2)}%; Bayesian chance to win ≥ 95% at the last look ${(rate(bayesLastLook) * 100).toFixed(2)}%`,
    );
    expect(rate(fixedAnyLook)).toBeGreaterThan(2.5 * ALPHA); // peeking: far more than α
    expect(rate(fixedLastLook)).toBeGreaterThan(0.035); // one look alone is a 5% test
    expect(rate(fixedLastLook)).toBeLessThan(0.065);
    expect(rate(sequentialAnyLook)).toBeLessThanOrEqual(ALPHA);
    expect(rate(bayesLastLook)).toBeGreaterThan(0.035);
    expect(rate(bayesLastLook)).toBeLessThan(0.065);
  });
});
