import { beforeAll, describe, expect, it } from "vitest";
import { CsvReader, type CsvProblem, type CsvRecord } from "~/ingest/csv";
import { parseDate } from "~/ingest/dates";
import { resolveLayout } from "~/ingest/formats";
import { parseMilli } from "~/ingest/money";
import { DEFAULT_SEED_OPTIONS, HEADER, demoRows } from "../../seed/generate";

const OPTIONS = { lines: 5000, seed: 7 };

function parse(lines: string[]): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  new CsvReader().push(
    lines.join("\r\n") + "\r\n",
    true,
    (r) => records.push(r),
    (p) => problems.push(p),
  );
  return { records, problems };
}

describe("demoRows", () => {
  let rows: string[];
  let records: CsvRecord[];
  let problems: CsvProblem[];

  beforeAll(() => {
    rows = [...demoRows(OPTIONS)];
    ({ records, problems } = parse(rows));
  });

  it("has the Online Retail header", () => {
    expect(HEADER).toBe("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country");
    expect(resolveLayout(HEADER.split(",")).format).toBe("online-retail");
    expect(DEFAULT_SEED_OPTIONS).toEqual({ lines: 500_000, seed: 42 });
  });

  it("yields exactly the requested number of lines", () => {
    expect(rows).toHaveLength(5000);
    expect([...demoRows({ lines: 3000, seed: 7 })]).toHaveLength(3000);
  });

  it("yields the same lines for the same seed", () => {
    expect([...demoRows(OPTIONS)]).toEqual(rows);
  });

  it("yields different lines for another seed", () => {
    const other = [...demoRows({ lines: 5000, seed: 8 })];
    expect(other).toHaveLength(5000);
    expect(other).not.toEqual(rows);
    const same = other.filter((line, i) => line === rows[i]).length;
    expect(same).toBeLessThan(500);
  });

  it("writes single-line rows (no newline inside a row)", () => {
    expect(rows.every((r) => !/[\r\n]/.test(r))).toBe(true);
  });

  it("parses as CSV into 8 fields per line, without problems", () => {
    expect(problems).toEqual([]);
    expect(records).toHaveLength(5000);
    const bad = records.filter((r) => r.fields.length !== 8);
    expect(bad).toEqual([]);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });

  it("includes descriptions that need CSV quoting", () => {
    expect(records.some((r) => r.fields[2].includes(","))).toBe(true);
  });

  it("uses M/D/YYYY H:MM dates", () => {
    const pattern = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/;
    for (const r of records) {
      const date = r.fields[4];
      if (!pattern.test(date) || parseDate(date, "M/D/YYYY H:MM") === null)
        throw new Error(`line ${r.line}: bad date "${date}"`);
    }
    const isoDates = records.map((r) => parseDate(r.fields[4], "M/D/YYYY H:MM")!).sort();
    expect(isoDates[0] >= "2010-12-01T00:00:00").toBe(true);
    expect(isoDates[isoDates.length - 1] < "2011-12-10T00:00:00").toBe(true);
  });

  it("uses whole quantities and prices with at most 3 decimals", () => {
    for (const r of records) {
      if (!/^-?\d+$/.test(r.fields[3])) throw new Error(`line ${r.line}: bad quantity "${r.fields[3]}"`);
      if (!parseMilli(r.fields[5]).ok) throw new Error(`line ${r.line}: bad price "${r.fields[5]}"`);
    }
  });

  it("has some lines without a CustomerID and most with one", () => {
    const empty = records.filter((r) => r.fields[6] === "").length;
    expect(empty).toBeGreaterThan(0);
    expect(empty).toBeLessThan(records.length / 2);
    expect(records.filter((r) => r.fields[6] !== "").every((r) => /^\d+$/.test(r.fields[6]))).toBe(true);
  });

  it("has some cancellation invoices starting with C, with negative quantities", () => {
    const cancels = records.filter((r) => r.fields[0].startsWith("C"));
    expect(cancels.length).toBeGreaterThan(0);
    expect(cancels.every((r) => Number(r.fields[3]) < 0)).toBe(true);
    expect(cancels.length).toBe(Math.round(5000 * 0.02));
  });

  it("has invoice numbers that are numeric after an optional C/A prefix", () => {
    expect(records.every((r) => /^[CA]?\d{6,}$/.test(r.fields[0]))).toBe(true);
  });

  it("has every line with a country", () => {
    expect(records.every((r) => r.fields[7] !== "")).toBe(true);
  });

  it("refuses a line budget too small for the shop", () => {
    expect(() => [...demoRows({ lines: 10, seed: 7 })]).toThrow(/too small/);
  });
});
