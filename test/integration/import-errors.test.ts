import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importFile } from "~/ingest/import.server";
import { fixture, snapshot, tempDb } from "../support/db";

// Bad input gets a clear message and loses nothing: each case runs on a database that already holds a data set,
// and the database must be exactly as before afterwards.
describe("bad files", () => {
  let t: ReturnType<typeof tempDb>;
  let before: Record<string, string>;
  beforeEach(async () => {
    t = tempDb();
    await importFile(t.db, fixture("online-retail-ii.csv"));
    before = snapshot(t.db);
  });
  afterEach(() => t.cleanup());

  const cases: [string, string, RegExp][] = [
    ["a 0-byte file", "empty.csv", /The file is empty \(0 bytes\)/],
    ["a header without lines", "header-only.csv", /header but no data lines/],
    [
      "unknown columns without a mapping",
      "unknown-columns.csv",
      /Unrecognised columns \(order_ref, buyer, when, total\).*give a column mapping/,
    ],
    ["binary garbage", "binary.csv", /not a CSV text file: it contains binary data/],
    [
      "more than 5% malformed lines",
      "malformed.csv",
      /1 of 10 lines \(10\.0%\) could not be read, more than the 5% allowed; first at line 11: expected 8 fields, found 10/,
    ],
    ["a truncated last line", "truncated.csv", /first at line 11: expected 8 fields, found 3/],
    ["a NaN price", "bad-price-nan.csv", /line 11: price "NaN" is not a number/],
    ["a 1e999 price", "bad-price-huge.csv", /line 11: price "1e999" is not a number/],
    ["an impossible date", "bad-date.csv", /line 11: unreadable date "2\/30\/2011 8:28"/],
  ];
  for (const [label, file, message] of cases) {
    it(`refuses ${label} and changes nothing`, async () => {
      await expect(importFile(t.db, fixture(file))).rejects.toThrow(message);
      expect(snapshot(t.db)).toEqual(before);
    });
  }

  it("refuses a missing file", async () => {
    await expect(importFile(t.db, join(t.dir, "nope.csv"))).rejects.toThrow(/File not found/);
    expect(snapshot(t.db)).toEqual(before);
  });

  it("refuses the same file twice unless asked to replace, then replaces it whole", async () => {
    await expect(importFile(t.db, fixture("online-retail-ii.csv"))).rejects.toThrow(
      /already imported as "online-retail-ii".*replace/,
    );
    await expect(importFile(t.db, fixture("online-retail-ii.csv"), { name: "another name" })).rejects.toThrow(
      /already imported/,
    );
    expect(snapshot(t.db)).toEqual(before);
    const again = await importFile(t.db, fixture("online-retail-ii.csv"), { replace: true });
    expect(again.linesRead).toBe(6);
    const counts = t.db.$client
      .prepare(
        "SELECT (SELECT COUNT(*) FROM datasets) d, (SELECT COUNT(*) FROM lines) l, (SELECT COUNT(*) FROM customers) c",
      )
      .get();
    expect(counts).toEqual({ d: 1, l: 6, c: 2 });
  });

  it("imports the same file cut at another day as another data set, and refuses the same cut again", async () => {
    const cut = await importFile(t.db, fixture("online-retail-ii.csv"), { name: "cut", until: "2009-12-01" });
    expect(cut.until).toBe("2009-12-01");
    const afterCut = snapshot(t.db);
    await expect(
      importFile(t.db, fixture("online-retail-ii.csv"), { name: "cut again", until: "2009-12-01" }),
    ).rejects.toThrow(/already imported up to 2009-12-01 as "cut"/);
    expect(snapshot(t.db)).toEqual(afterCut);
    // replacing the cut copy leaves the whole file's data set alone
    await importFile(t.db, fixture("online-retail-ii.csv"), { name: "cut", until: "2009-12-01", replace: true });
    const names = t.db.$client.prepare("SELECT name FROM datasets ORDER BY name").all();
    expect(names).toEqual([{ name: "cut" }, { name: "online-retail-ii" }]);
  });

  it("refuses a second data set with the same name", async () => {
    await expect(importFile(t.db, fixture("online-retail-rules.csv"), { name: "online-retail-ii" })).rejects.toThrow(
      /A data set named "online-retail-ii" already exists/,
    );
    expect(snapshot(t.db)).toEqual(before);
  });

  it("refuses a mapping that names a missing column or lacks a required field", async () => {
    await expect(
      importFile(t.db, fixture("mapped-no-invoice.csv"), {
        map: { customer: "customer_id", date: "when", amount: "dollars" },
      }),
    ).rejects.toThrow(/Column "when" mapped to date is not in the file's header/);
    await expect(
      importFile(t.db, fixture("mapped-no-invoice.csv"), { map: { customer: "customer_id", amount: "dollars" } }),
    ).rejects.toThrow(/lacks required fields: date/);
    expect(snapshot(t.db)).toEqual(before);
  });

  it("keeps a negative price as an invalid line, reported, not a sale", async () => {
    const file = join(t.dir, "negative.csv");
    writeFileSync(
      file,
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n1,A,x,1,1/5/2011 10:00,-2.50,1,UK\r\n2,A,x,1,1/5/2011 10:00,2.50,1,UK\r\n",
    );
    const report = await importFile(t.db, file);
    expect(report).toMatchObject({
      linesRead: 2,
      invalidLines: 1,
      invalidReasons: { "negative price": 1 },
      salesLines: 1,
      salesRevenue: 2.5,
    });
  });
});

describe("atomicity", () => {
  it("leaves no partial data when a load fails in the middle", async () => {
    const t = tempDb();
    try {
      await importFile(t.db, fixture("online-retail-ii.csv"));
      const before = snapshot(t.db);
      // big enough that lines were already written when the fault strikes
      const rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
      for (let i = 0; i < 5000; i++)
        rows.push(
          `${600000 + i},2${i % 900},ITEM ${i % 900},${1 + (i % 5)},${1 + (i % 12)}/${1 + (i % 28)}/2011 ${8 + (i % 10)}:${String(i % 60).padStart(2, "0")},1.25,${13000 + (i % 300)},United Kingdom`,
        );
      const file = join(t.dir, "big.csv");
      writeFileSync(file, rows.join("\r\n") + "\r\n");
      let written = 0;
      await expect(importFile(t.db, file, { faultAfterLines: 4000, onProgress: () => written++ })).rejects.toThrow(
        /Injected fault after 4000 lines/,
      );
      expect(snapshot(t.db)).toEqual(before);
      // and the same file then imports cleanly
      const report = await importFile(t.db, file);
      expect(report.salesLines).toBe(5000);
    } finally {
      t.cleanup();
    }
  });

  it("prepare runs on while the lines are copied in: its late failure rolls the import back, its late answer lands", async () => {
    const t = tempDb();
    try {
      await importFile(t.db, fixture("online-retail-ii.csv"));
      const before = snapshot(t.db);
      const late = <T>(work: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(work()), 200));
      await expect(
        importFile(t.db, fixture("online-retail-rules.csv"), {
          prepare: () => late(() => Promise.reject(new Error("the sweep's thread failed"))),
          beforeCommit: () => undefined,
        }),
      ).rejects.toThrow("the sweep's thread failed");
      expect(snapshot(t.db)).toEqual(before);
      let stored: number | null = null;
      const report = await importFile(t.db, fixture("online-retail-rules.csv"), {
        prepare: (facts) => late(() => [...facts.customers].length),
        beforeCommit: (_id, customers) => void (stored = customers),
      });
      expect(stored).toBe(report.customers);
      expect(report.seconds.segments).toBeGreaterThanOrEqual(0.2);
    } finally {
      t.cleanup();
    }
  });

  it("a failure of the staging thread fails the import with its message, changes nothing and leaves no scratch file", async () => {
    const t = tempDb();
    try {
      await importFile(t.db, fixture("online-retail-ii.csv"));
      const before = snapshot(t.db);
      await expect(importFile(t.db, fixture("online-retail-rules.csv"), { stageFaultAfterLines: 2 })).rejects.toThrow(
        /Injected staging fault after 2 lines/,
      );
      expect(snapshot(t.db)).toEqual(before);
      expect(readdirSync(t.dir).filter((f) => f.endsWith(".scratch"))).toEqual([]);
      expect((await importFile(t.db, fixture("online-retail-rules.csv"))).linesRead).toBeGreaterThan(2);
    } finally {
      t.cleanup();
    }
  });
});
