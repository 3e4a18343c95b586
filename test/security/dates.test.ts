import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { designSchema } from "~/experiments/design";
import { plausibleDates } from "~/ingest/dates";
import { importFile } from "~/ingest/import.server";
import { tempDb } from "../support/db";

// #12 item 5: 200 lines dated 1900 and 2150 made /cohorts take 16 s for a 27 MB page and /value fail with a TypeError.
// Days outside a plausible range (1990-01-01 … tomorrow by default, PLAUSIBLE_DATES to change it) are rejected lines
// with the reason, so a data set's span, and every page drawn over it, is that of real data. And 9999-99-99 is no day.

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
/** 80 clean sales from 12/1/2010 to 12/8/2011 (months 12, 1, …, 12), then `extra`. */
function shopWith(extra: string[], dir: string, name: string): string {
  const body = Array.from({ length: 80 }, (_, i) => {
    const [month, year] = i < 8 ? [12, 2010] : [1 + ((i - 8) % 12), 2011];
    return `${560000 + i},8512${i % 7},ITEM ${i % 7},${1 + (i % 5)},${month}/${1 + (i % 8)}/${year} 9:${10 + (i % 40)},2.55,${17000 + (i % 23)},United Kingdom`;
  });
  const path = join(dir, name);
  writeFileSync(path, [HEADER, ...body, ...extra].join("\n") + "\n");
  return path;
}

describe("plausible dates", () => {
  let t: ReturnType<typeof tempDb>;
  beforeAll(() => (t = tempDb()));
  afterAll(() => t.cleanup());

  it("rejects lines dated 1900 and 2150 with the reason; the data set spans only the real days", async () => {
    const path = shopWith(
      [
        "569001,85123A,OLD,6,1/1/1900 8:26,2.55,17850,United Kingdom",
        "569002,85123A,FUTURE,6,6/1/2150 8:26,2.55,17850,United Kingdom",
      ],
      t.dir,
      "odd-dates.csv",
    );
    const report = await importFile(t.db, path, { name: "odd dates" });
    const reasons = report.rejectedExamples.filter((e) => /plausible range/.test(e.reason));
    expect(reasons.map((e) => e.line)).toEqual([82, 83]);
    expect(reasons[0].reason).toMatch(/^date 1900-01-01 is outside the plausible range 1990-01-01 … \d{4}-\d{2}-\d{2}/);
    expect(reasons[1].reason).toMatch(/^date 2150-06-01/);
    expect(report.dateRange![0] >= "2010-12-01").toBe(true);
    expect(report.dateRange![1] < "2011-12-31").toBe(true);
  });

  it("takes its range from PLAUSIBLE_DATES, and refuses a malformed setting", () => {
    const now = new Date("2026-12-06T12:00:00Z");
    expect(plausibleDates({}, now)).toEqual({ from: "1990-01-01", to: "2026-12-07" });
    expect(plausibleDates({ PLAUSIBLE_DATES: "2011-01-01..2011-06-30" }, now)).toEqual({
      from: "2011-01-01",
      to: "2011-06-30",
    });
    expect(plausibleDates({ PLAUSIBLE_DATES: "..2030-01-01" }, now)).toEqual({ from: "1990-01-01", to: "2030-01-01" });
    expect(() => plausibleDates({ PLAUSIBLE_DATES: "2011-13-01..2012-01-01" }, now)).toThrow(/PLAUSIBLE_DATES/);
  });

  it("applies a configured range to an import", async () => {
    const path = shopWith([], t.dir, "configured.csv");
    process.env.PLAUSIBLE_DATES = "2010-12-01..2011-12-07"; // leaves out the 3 lines of 8 December 2011 (3.75%)
    try {
      const report = await importFile(t.db, path, { name: "configured" });
      expect(report.dateRange![1].slice(0, 10) <= "2011-12-07").toBe(true);
      expect(
        report.rejectedExamples.some((e) => /outside the plausible range 2010-12-01 … 2011-12-07/.test(e.reason)),
      ).toBe(true);
    } finally {
      delete process.env.PLAUSIBLE_DATES;
    }
  });

  it("refuses a reference date that is no calendar day", () => {
    const parsed = designSchema.shape.referenceDate.safeParse("9999-99-99");
    expect(parsed.success).toBe(false);
  });
});
