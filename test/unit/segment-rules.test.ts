import { describe, expect, it } from "vitest";
import { nameClusters, PERSONA_PROTOTYPES } from "~/segments/naming";
import { calendarDays, fmScore, SEGMENT_GRID, segmentFromSlug, segmentOf, SEGMENTS, segmentSlug } from "~/segments/rfm";

describe("the R × FM segment grid (PRODUCT.md §3)", () => {
  it("puts each of the 125 RFM codes in exactly one of the 11 segments", () => {
    const seen = new Map<string, number>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) {
          const segment = segmentOf(r, f, m);
          expect(SEGMENTS).toContain(segment);
          seen.set(segment, (seen.get(segment) ?? 0) + 1);
        }
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(125);
    expect(new Set(seen.keys())).toEqual(new Set(SEGMENTS)); // every segment is reachable
  });

  it("is the specification's table, row by row", () => {
    expect(SEGMENT_GRID).toEqual([
      ["New Customers", "Potential Loyalists", "Loyal Customers", "Champions", "Champions"],
      ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Champions"],
      ["Promising", "Need Attention", "Potential Loyalists", "Loyal Customers", "Loyal Customers"],
      ["About To Sleep", "Need Attention", "Need Attention", "At Risk", "At Risk"],
      ["Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"],
    ]);
  });

  it("uses FM = ceil((F + M) / 2)", () => {
    expect([fmScore(1, 1), fmScore(1, 2), fmScore(2, 5), fmScore(5, 5)]).toEqual([1, 2, 4, 5]);
    expect(segmentOf(2, 2, 5)).toBe("At Risk"); // FM 4
    expect(segmentOf(1, 5, 4)).toBe("Can't Lose Them"); // FM 5
    expect(segmentOf(5, 1, 1)).toBe("New Customers");
  });

  it("round-trips segment names through URL slugs", () => {
    for (const s of SEGMENTS) expect(segmentFromSlug(segmentSlug(s))).toBe(s);
    expect(segmentSlug("Can't Lose Them")).toBe("can-t-lose-them");
    expect(segmentFromSlug("nope")).toBeNull();
  });

  it("counts calendar days, ignoring the time of day", () => {
    expect(calendarDays("2011-12-09T23:59:00", "2011-12-09")).toBe(0);
    expect(calendarDays("2011-03-10T16:00:00", "2011-05-20")).toBe(71);
    expect(calendarDays("2011-02-28", "2012-03-01")).toBe(367); // 2012 is a leap year
  });
});

describe("persona naming", () => {
  it("names each cluster after its nearest prototype, uniquely", () => {
    const names = nameClusters([
      [-1.2, 1.6, 1.4],
      [0.9, -0.8, -0.8],
      [-0.8, -0.4, -0.4],
      [0.1, 0.3, 0.5],
    ]);
    expect(names).toEqual([
      "High-Value Loyalists",
      "Dormant / Churn-Risk",
      "Low-Frequency Explorers",
      "Steady Regulars",
    ]);
  });

  it("keeps names unique when two centroids are close to the same prototype", () => {
    const names = nameClusters([
      [1.2, -0.8, -0.8],
      [1.1, -0.9, -0.7],
    ]);
    expect(names[0]).not.toBe(names[1]);
    expect(names).toContain("Dormant / Churn-Risk");
  });

  it("numbers clusters beyond the named prototypes", () => {
    const many = Array.from({ length: PERSONA_PROTOTYPES.length + 1 }, (_, i) => [i / 10, 0, 0]);
    const names = nameClusters(many);
    expect(new Set(names).size).toBe(many.length);
    expect(names.filter((n) => n.startsWith("Persona "))).toHaveLength(1);
  });
});
