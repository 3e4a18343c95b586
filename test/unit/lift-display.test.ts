import { describe, expect, it } from "vitest";
import { percent } from "~/components/format";
import { liftLower } from "~/lib/lift";
import { analyseResults, type ArmStats } from "~/experiments/verdict";
import { DEFAULT_DESIGN } from "~/experiments/design-form";

// Issue 11: a metric that cannot go below zero cannot lose more than 100%; the board showed "−339.8% to +450.8%".
describe("relative interval display", () => {
  it("clips a lower end below −100% to words, keeps every other end as formatted", () => {
    expect(liftLower(-3.398, percent)).toBe("below -100%");
    expect(liftLower(-1.0000001, percent)).toBe("below -100%");
    expect(liftLower(-1, percent)).toBe("-100.0%");
    expect(liftLower(-0.25, percent)).toBe("-25.0%");
    expect(liftLower(0.1, percent)).toBe("10.0%");
    expect(liftLower(null, percent)).toBe("-∞");
    expect(liftLower(null, percent, "…")).toBe("…");
  });

  it("the decision card's headline says 'below -100%' while the analysis keeps the computed bound", () => {
    // 3/40 vs 4/40 converted: the delta-method relative interval's lower end is far below −100%
    const arm = (name: string, users: number, conversions: number): ArmStats => ({
      name,
      users,
      conversions,
      revenueSum: conversions * 40,
      revenueSquares: conversions * 2000,
      orders: conversions,
      refunded: 0,
    });
    const a = analyseResults({ ...DEFAULT_DESIGN, name: "t" }, [arm("Control", 40, 3), arm("Treatment", 40, 4)], null, {
      assigned: [40, 40],
    });
    const ci = a.primary.comparisons[0].relative.ci!;
    expect(ci[0]!).toBeLessThan(-1);
    expect(a.decision.headline[0]).toMatch(/interval below -100% to \+\d+\.\d+%/);
  });
});
