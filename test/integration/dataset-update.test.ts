import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { datasetHistory } from "~/db/datasets.server";
import { importAndDerive, updateAndDerive } from "~/derive/derive.server";
import { updateDataset } from "~/ingest/update.server";
import { choosePersonaK, deriveSegments } from "~/segments/compute.server";
import { fixture, tempDb } from "../support/db";
import { hashTables } from "../support/hash";

// Data set updates (issue 13): lines after the last stored transaction are added, earlier ones are overlap (counted,
// matched, never added); a bad file or a failure midway leaves every table as it was.

const SHOP = fixture("measured-shop.csv");

describe("data set updates", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeEach(async () => {
    t = tempDb();
    const report = await importAndDerive(t.db, SHOP, { name: "shop", until: "2011-01-10" });
    id = t.db.$client.prepare("SELECT id FROM datasets WHERE name = 'shop'").pluck().get() as number;
    // the cut: 13 lines up to 2011-01-10 (one duplicate, one zero price dropped), 15 later lines left out
    expect(report).toMatchObject({
      until: "2011-01-10",
      linesRead: 13,
      linesAfterUntil: 15,
      duplicateLines: 1,
      invalidLines: 1,
      salesLines: 10,
      cancellationLines: 1,
      customers: 8,
    });
    expect(report.dateRange).toEqual(["2010-12-01T11:00:00", "2011-01-10T18:00:00"]);
  });
  afterEach(() => t.cleanup());

  const count = (sql: string) => t.db.$client.prepare(sql).pluck().get() as number;

  it("adds the lines after the stored data, matches the overlap, keeps customer ids and writes the history", async () => {
    const customersBefore = t.db.$client.prepare("SELECT customer_id FROM customers ORDER BY 1").pluck().all();
    const u = await updateAndDerive(t.db, SHOP, { dataset: "shop" });
    expect(u.storedThrough).toBe("2011-01-10T18:00:00");
    // new period: 15 lines, of which a duplicate and a zero price are dropped: 11 sales + 2 cancellations added
    expect(u.added).toBe(13);
    expect(u.clean).toMatchObject({
      linesRead: 15,
      duplicateLines: 1,
      invalidLines: 1,
      salesLines: 11,
      cancellationLines: 2,
    });
    expect(u.overlap).toEqual({ lines: 13, matched: 11, notFound: 0, dropped: 2, checked: true });
    expect(u.newCustomers).toBe(1); // 10009
    expect(count("SELECT COUNT(*) FROM lines")).toBe(11 + 13);
    expect(t.db.$client.prepare("SELECT customer_id FROM customers ORDER BY 1").pluck().all()).toEqual([
      ...(customersBefore as string[]),
      "10009",
    ]);
    // 10001's facts span both files: 4 sales invoices, revenue 3 + 10 + 8 + 2
    expect(
      t.db.$client
        .prepare(
          "SELECT orders, revenue, first_purchase_at, last_purchase_at FROM customers WHERE customer_id = '10001'",
        )
        .get(),
    ).toEqual({
      orders: 4,
      revenue: 23000,
      first_purchase_at: "2010-12-15T10:00:00",
      last_purchase_at: "2011-01-12T15:00:00",
    });
    // products reused by stock code, new ones added once
    expect(count("SELECT COUNT(*) FROM products WHERE stock_code = 'P01'")).toBe(1);
    expect(t.db.$client.prepare("SELECT last_at FROM datasets").pluck().get()).toBe("2011-01-18T08:00:00");
    expect(count("SELECT COUNT(*) FROM customer_rfm")).toBe(9);
    expect(t.db.$client.prepare("SELECT snapshot_date FROM segment_runs").pluck().get()).toBe("2011-01-18");
    const history = datasetHistory(t.db, id);
    expect(history.map((h) => h.kind)).toEqual(["import", "update"]);
    expect(history[1].report).toMatchObject({ kind: "update", added: 13 });
  });

  it("a file already applied is refused at once, naming the day, and changes nothing", async () => {
    await updateAndDerive(t.db, SHOP, { dataset: id });
    const before = hashTables(t.db);
    let read = 0;
    await expect(
      updateAndDerive(t.db, SHOP, { dataset: id, onProgress: (p) => void (p.stage === "reading" && read++) }),
    ).rejects.toThrow(
      new RegExp(
        `^This file was already applied to "shop" on ${new Date().toISOString().slice(0, 10)}: nothing to add`,
      ),
    );
    expect(read).toBe(0); // refused from its hash, before a line is read
    expect(hashTables(t.db)).toEqual(before);
    // the import itself took the file up to 2011-01-10: applying it with that day (or an earlier one) adds nothing
    const fresh = tempDb();
    try {
      await importAndDerive(fresh.db, SHOP, { name: "cut", until: "2011-01-10" });
      await expect(updateAndDerive(fresh.db, SHOP, { dataset: "cut", until: "2011-01-05" })).rejects.toThrow(
        /already applied to "cut" on .* \(up to 2011-01-10\)/,
      );
    } finally {
      fresh.cleanup();
    }
  });

  it("the same lines again in another file add nothing and report every line as overlap", async () => {
    await updateAndDerive(t.db, SHOP, { dataset: id });
    const lines = count("SELECT COUNT(*) FROM lines");
    const copy = join(t.dir, "re-export.csv");
    writeFileSync(copy, readFileSync(SHOP, "utf8") + "\n"); // another export of the same lines: another hash
    const u = await updateAndDerive(t.db, copy, { dataset: id });
    expect(u.added).toBe(0);
    expect(u.overlap).toEqual({ lines: 28, matched: 24, notFound: 0, dropped: 4, checked: true });
    expect(count("SELECT COUNT(*) FROM lines")).toBe(lines);
  });

  it("reports overlap lines that are not stored as not found, and never adds them", async () => {
    const other = join(t.dir, "edited.csv");
    writeFileSync(
      other,
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n500001,P05,TEA TOWEL,3,1/5/2011 10:00,5.00,10001,United Kingdom\n500001,P05,TEA TOWEL,2,1/5/2011 10:00,5.00,10001,United Kingdom\n",
    );
    const u = await updateDataset(t.db, other, { dataset: id });
    expect(u.overlap).toEqual({ lines: 2, matched: 1, notFound: 1, dropped: 0, checked: true });
    expect(u.added).toBe(0);
  });

  it("takes a new period in another layout (a mapping without invoices): overlap counted but not checked", async () => {
    const mapped = join(t.dir, "mapped.csv");
    writeFileSync(
      mapped,
      "buyer,when,total\n10004,2011-01-09 10:00,3.00\n10004,2011-01-20 10:00,9.50\n10010,2011-01-21 11:00,1.00\n",
    );
    const u = await updateDataset(t.db, mapped, {
      dataset: id,
      map: { customer: "buyer", date: "when", amount: "total" },
    });
    expect(u.added).toBe(2);
    expect(u.overlap).toEqual({ lines: 1, matched: null, notFound: null, dropped: 0, checked: false });
    expect(t.db.$client.prepare("SELECT orders, revenue FROM customers WHERE customer_id = '10004'").get()).toEqual({
      orders: 2,
      revenue: 14500,
    });
  });

  it("keeps the chosen k of the personas", async () => {
    // 8 customers: the sweep runs k = 2 … 7; the user picks a k that is not the proposed one
    const best = t.db.$client.prepare("SELECT best_k FROM segment_runs").pluck().get() as number;
    const chosen = best === 3 ? 4 : 3;
    choosePersonaK(t.db, id, chosen);
    await updateAndDerive(t.db, SHOP, { dataset: id });
    expect(t.db.$client.prepare("SELECT chosen_k FROM segment_runs").pluck().get()).toBe(chosen);
    expect(t.db.$client.prepare("SELECT COUNT(DISTINCT persona) FROM customer_rfm").pluck().get()).toBeLessThanOrEqual(
      chosen,
    );
    expect(t.db.$client.prepare("SELECT MAX(persona) FROM customer_rfm").pluck().get()).toBeLessThan(chosen);
  });

  it("refuses to update a warehouse data set from a file, changing nothing", async () => {
    t.db.$client
      .prepare(
        "INSERT INTO datasets (name, file_name, content_hash, format, encoding, date_format, imported_at, report, kind) VALUES ('wh', '', 'none', '', '', '', '2026-12-06', '{}', 'warehouse')",
      )
      .run();
    const before = hashTables(t.db);
    await expect(updateAndDerive(t.db, SHOP, { dataset: "wh" })).rejects.toThrow(
      '"wh" is a warehouse data set: it is read from its warehouse table, not updated from a file',
    );
    expect(hashTables(t.db)).toEqual(before);
  });

  describe("atomicity: every table as it was", () => {
    const bad: [string, () => Promise<unknown>, RegExp][] = [
      [
        "a bad layout",
        () => updateDataset(t.db, fixture("unknown-columns.csv"), { dataset: id }),
        /Unrecognised columns/,
      ],
      ["binary data", () => updateDataset(t.db, fixture("binary.csv"), { dataset: id }), /binary data/],
      [
        "too many malformed lines",
        () => updateDataset(t.db, fixture("malformed.csv"), { dataset: id }),
        /more than the 5% allowed/,
      ],
      ["an unknown data set", () => updateDataset(t.db, SHOP, { dataset: "nope" }), /No data set named "nope"/],
      [
        "a fault injected midway",
        () => updateDataset(t.db, SHOP, { dataset: id, faultAfterLines: 20 }),
        /Injected fault after 20 lines/,
      ],
      [
        "a fault while deriving, before the write lock",
        () =>
          updateDataset(t.db, SHOP, {
            dataset: id,
            prepare: async (p) => {
              await deriveSegments(p.customers, p.lastAt);
              throw new Error("fault while deriving");
            },
          }),
        /fault while deriving/,
      ],
      [
        "a fault under the write lock, the data written, before the commit",
        () =>
          updateDataset(t.db, SHOP, {
            dataset: id,
            beforeCommit: () => {
              throw new Error("fault before commit");
            },
          }),
        /fault before commit/,
      ],
      [
        "a day that does not exist",
        () => updateDataset(t.db, SHOP, { dataset: id, until: "2011-02-30" }),
        /not a day written YYYY-MM-DD/,
      ],
    ];
    for (const [label, run, message] of bad) {
      it(`refuses ${label}`, async () => {
        const before = hashTables(t.db);
        await expect(run()).rejects.toThrow(message);
        expect(hashTables(t.db)).toEqual(before);
      });
    }
  });
});

describe("import --until and --update through the CLI", () => {
  it("cuts an import at a day, updates it by name, and refuses a bad day or an unknown data set in one line, exit non-zero", async () => {
    const { cli } = await import("../support/cli");
    const t = tempDb();
    try {
      const cut = cli(["import", SHOP, "--workspace", "shop", "--until", "2011-01-10", "--db", t.path, "--json"]);
      expect(cut.code).toBe(0);
      expect(JSON.parse(cut.stdout)).toMatchObject({ linesRead: 13, linesAfterUntil: 15, until: "2011-01-10" });
      const up = cli(["import", SHOP, "--update", "shop", "--db", t.path, "--json"]);
      expect(JSON.parse(up.stdout)).toMatchObject({
        kind: "update",
        added: 13,
        overlap: { lines: 13, matched: 11, notFound: 0, dropped: 2 },
      });
      const before = hashTables(t.db);
      const again = cli(["import", SHOP, "--update", "shop", "--db", t.path]);
      expect(again.code).toBe(1);
      expect(again.stderr.trim()).toMatch(
        /^error: This file was already applied to "shop" on \d{4}-\d{2}-\d{2}: nothing to add/m,
      );
      expect(hashTables(t.db)).toEqual(before);
      const copy = join(t.dir, "re-export.csv");
      writeFileSync(copy, readFileSync(SHOP, "utf8") + "\n");
      const text = cli(["import", copy, "--update", "shop", "--db", t.path]);
      expect(text.stdout).toMatch(/lines added +0/);
      expect(text.stdout).toMatch(/overlap +28 lines on or before the stored data: 24 matched, 0 not found, 4 dropped/);
      const settled = hashTables(t.db);
      for (const args of [
        ["--update", "nope"],
        ["--until", "2011-13-01"],
        ["--update", "shop", "--workspace", "x"],
      ]) {
        const r = cli(["import", SHOP, ...args, "--db", t.path]);
        expect(r.code).not.toBe(0);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
      }
      expect(hashTables(t.db)).toEqual(settled);
    } finally {
      t.cleanup();
    }
  });
});
