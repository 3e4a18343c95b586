import { describe, expect, it } from "vitest";
import { pool, priorVariance, shrink } from "~/planning/learned";

// Empirical-Bayes shrinkage of learned lifts (issue #11 item 5). Reference values computed with scipy 1.17
// (norm.ppf) from the formulas in learned.ts: τ² = max(0, mean(y²) − mean(s²)), posterior mean ŷ·τ²/(τ² + s²).

describe("learned lifts shrink toward 0", () => {
  it("the issue's noisy lift (+51%, p 0.107) alone: se 0.3164, τ² 0.16, kept 61.5%, posterior +31.4% (−17.3% to +80.0%)", () => {
    const se = 0.3164114973200027; // 0.51 / Φ⁻¹(1 − 0.107/2)
    const tau2 = priorVariance([{ estimate: 0.51, se }]);
    expect(tau2).toBeCloseTo(0.15998376436371392, 12);
    const s = shrink({ estimate: 0.51, se }, tau2);
    expect(s.kept).toBeCloseTo(0.6150855992453438, 12);
    expect(s.estimate).toBeCloseTo(0.31369365561512536, 12);
    expect(s.ci[0]).toBeCloseTo(-0.17267785326869145, 6);
    expect(s.ci[1]).toBeCloseTo(0.8000651644989422, 6);
    expect(s.raw.estimate).toBe(0.51);
  });

  it("τ² across experiments; a group pooled by inverse variance, then shrunk", () => {
    const lifts = [
      { estimate: 0.51, se: 0.3165 },
      { estimate: 0.02, se: 0.05 },
      { estimate: -0.03, se: 0.04 },
    ];
    const tau2 = priorVariance(lifts);
    expect(tau2).toBeCloseTo(0.05237591666666667, 12);
    const pooled = pool(lifts.slice(1));
    expect(pooled.estimate).toBeCloseTo(-0.010487804878048781, 12);
    expect(pooled.se).toBeCloseTo(0.031234752377721213, 12);
    const s = shrink(pooled, tau2);
    expect(s.estimate).toBeCloseTo(-0.01029602021048384, 12);
    expect((s.ci[1] - s.estimate) / 1.959963984540054).toBeCloseTo(0.030947848421263042, 6); // posterior sd
  });

  it("lifts that scatter no more than their noise shrink to 0 (no evidence of any lift)", () => {
    const lifts = [
      { estimate: 0.02, se: 0.05 },
      { estimate: -0.01, se: 0.06 },
    ];
    expect(priorVariance(lifts)).toBe(0);
    expect(shrink(pool(lifts), 0)).toMatchObject({ estimate: 0, ci: [0, 0], kept: 0 });
  });
});
