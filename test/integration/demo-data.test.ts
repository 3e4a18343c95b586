import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { importFile } from "~/ingest/import.server";
import type { ImportReport } from "~/ingest/report";
import { writeDemoCsv } from "../../seed/generate";
import { tempDb } from "../support/db";

// The demo generator must look like a real shop (PRODUCT.md §1 "Demo data") once it has gone through the real import.
describe("demo data through the import pipeline", () => {
  let t: ReturnType<typeof tempDb>;
  let report: ImportReport;
  const LINES = 60_000;
  beforeAll(async () => {
    t = tempDb();
    const file = join(t.dir, "demo.csv");
    expect(await writeDemoCsv(file, { lines: LINES, seed: 42 })).toBe(LINES);
    report = await importFile(t.db, file);
  });
  afterAll(() => t.cleanup());
  const q = <T>(sql: string) => t.db.$client.prepare(sql).all() as T[];

  it("is an Online Retail file in ISO-8859-1 with M/D/YYYY dates, every line readable", () => {
    expect(report).toMatchObject({
      format: "online-retail",
      encoding: "windows-1252",
      dateFormat: "M/D/YYYY H:MM",
      linesRead: LINES,
      rejectedLines: 0,
    });
    expect(report.dateRange).toEqual([expect.stringMatching(/^2010-12-01/), expect.stringMatching(/^2011-12-0\d/)]);
  });

  it("has the policy's dirt in realistic proportions", () => {
    const share = (n: number) => n / LINES;
    expect(share(report.duplicateLines)).toBeGreaterThan(0.005);
    expect(share(report.duplicateLines)).toBeLessThan(0.02);
    expect(share(report.cancellationLines)).toBeGreaterThan(0.015);
    expect(share(report.cancellationLines)).toBeLessThan(0.025);
    expect(report.invalidLines).toBeGreaterThan(0);
    expect(report.invalidReasons["accounting adjustment"]).toBe(3);
    const anonymous = report.salesLinesWithoutCustomer / report.salesLines;
    expect(anonymous).toBeGreaterThan(0.18);
    expect(anonymous).toBeLessThan(0.32);
    expect(report.nonMerchandiseLines).toBeGreaterThan(0);
  });

  it("is UK-heavy over many countries", () => {
    const rows = q<{ country: string; n: number }>(
      "SELECT country, COUNT(*) n FROM customers GROUP BY country ORDER BY n DESC",
    );
    const total = rows.reduce((s, r) => s + r.n, 0);
    expect(rows[0].country).toBe("United Kingdom");
    expect(rows[0].n / total).toBeGreaterThan(0.8);
    expect(report.countries).toBeGreaterThanOrEqual(15);
  });

  it("peaks in November and dips in December, over 13 months", () => {
    const months = q<{ month: string; revenue: number }>(
      "SELECT invoice_month month, SUM(amount) revenue FROM orders WHERE kind = 'sale' GROUP BY month ORDER BY month",
    );
    expect(months.map((m) => m.month)).toHaveLength(13);
    const peak = months.reduce((a, b) => (b.revenue > a.revenue ? b : a));
    expect(peak.month).toBe("2011-11");
    expect(months.at(-1)!.revenue).toBeLessThan(peak.revenue / 2);
  });

  it("has heavy-tailed spend and customers who differ in how often they come back", () => {
    const spend = q<{ revenue: number; orders: number }>("SELECT revenue, orders FROM customers ORDER BY revenue DESC");
    const top = spend.slice(0, Math.ceil(spend.length / 5)).reduce((s, c) => s + c.revenue, 0);
    const all = spend.reduce((s, c) => s + c.revenue, 0);
    expect(top / all).toBeGreaterThan(0.5);
    const oneTimers = spend.filter((c) => c.orders === 1).length / spend.length;
    expect(oneTimers).toBeGreaterThan(0.2);
    expect(oneTimers).toBeLessThan(0.6);
    expect(spend.filter((c) => c.orders >= 5).length).toBeGreaterThan(spend.length * 0.1);
  });

  it("is the same file for the same seed", async () => {
    const { readFileSync } = await import("node:fs");
    const a = join(t.dir, "a.csv");
    const b = join(t.dir, "b.csv");
    await writeDemoCsv(a, { lines: 5000, seed: 3 });
    await writeDemoCsv(b, { lines: 5000, seed: 3 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});
