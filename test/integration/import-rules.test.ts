import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importFile } from "~/ingest/import.server";
import { listDatasets } from "~/db/datasets.server";
import { fixture, tempDb } from "../support/db";

// test/fixtures/online-retail-rules.csv: 25 hand-made lines in the Online Retail layout (ISO-8859-1, CRLF, a £, quoted
// commas and "" escapes, a 3-decimal price, an empty description) where every cleaning rule of PRODUCT.md §1 applies at
// least once. The expected counts below were worked out by hand, line by line (see the comments).
const EXPECTED = {
  linesRead: 25,
  rejectedLines: 1, // line 20: 2/30/2011
  duplicateLines: 3, // lines 6 and 25 repeat line 2; line 24 repeats line 23
  cancellationLines: 2, // C536379 (27.50), C536383 (4.65)
  invalidLines: 5, // zero price (14), stock adjustment qty -10 (17), A563185/A563186 (18, 19), negative price (26)
  salesLines: 14,
  salesRevenue: 318.17,
  salesLinesWithoutCustomer: 2, // 536544: 2.51 + 5.02
  customerSalesLines: 12,
  customerRevenue: 310.64,
  customers: 4, // 17850, 13047, 12583, 12680 (14527 and 15311 only cancelled)
  invoices: 7,
  customerInvoices: 6,
  cancellationInvoices: 2,
  cancelledValue: 32.15,
  nonMerchandiseLines: 2, // POST (sale), D (cancellation)
  countries: 2,
  products: 13,
  encoding: "windows-1252",
  format: "online-retail",
  dateFormat: "M/D/YYYY H:MM",
  dateRange: ["2010-12-01T08:26:00", "2011-12-09T12:50:00"],
};

describe("import of the cleaning-rules fixture", () => {
  let t: ReturnType<typeof tempDb>;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());

  it("counts every cleaning rule exactly", async () => {
    const report = await importFile(t.db, fixture("online-retail-rules.csv"));
    expect(report).toMatchObject(EXPECTED);
    expect(report.invalidReasons).toEqual({
      "zero price": 1,
      "quantity not positive": 1,
      "accounting adjustment": 2,
      "negative price": 1,
    });
    expect(report.rejectedExamples).toEqual([
      {
        line: 20,
        reason: 'unreadable date "2/30/2011 10:00" (expected M/D/YYYY H:MM)',
        text: expect.stringContaining("536600,22111"),
      },
    ]);
  });

  it("stores sales and cancellation lines with exact money and derived customers", async () => {
    const report = await importFile(t.db, fixture("online-retail-rules.csv"));
    const sqlite = t.db.$client;
    const lineCounts = sqlite
      .prepare(
        "SELECT o.kind, COUNT(*) n, SUM(l.amount) total FROM lines l JOIN orders o ON o.id = l.order_id GROUP BY o.kind ORDER BY o.kind",
      )
      .all();
    expect(lineCounts).toEqual([
      { kind: "return", n: 2, total: -32_150 },
      { kind: "sale", n: 14, total: 318_170 },
    ]);
    // £0.001 × 100 is kept as 100 thousandths, not rounded away
    expect(
      sqlite
        .prepare(
          "SELECT l.amount, l.unit_price, p.description FROM lines l JOIN products p ON p.id = l.product_id WHERE p.stock_code = '22000'",
        )
        .get(),
    ).toEqual({ amount: 100, unit_price: 1, description: '£5 OFF "SPECIAL" TIN' });
    expect(sqlite.prepare("SELECT description FROM products WHERE stock_code = '84406B'").get()).toEqual({
      description: "CREAM CUPID HEARTS, COAT HANGER",
    });
    expect(
      sqlite
        .prepare("SELECT non_merchandise FROM products WHERE stock_code IN ('POST', 'D') ORDER BY stock_code")
        .all(),
    ).toEqual([{ non_merchandise: 1 }, { non_merchandise: 1 }]);
    const customers = sqlite
      .prepare(
        "SELECT customer_id, country, first_purchase_at, last_purchase_at, cohort_month, orders, sales_lines, revenue, return_orders, returns FROM customers ORDER BY customer_id",
      )
      .all();
    expect(customers).toEqual([
      {
        customer_id: "12583",
        country: "France",
        first_purchase_at: "2010-12-01T08:45:00",
        last_purchase_at: "2010-12-01T08:45:00",
        cohort_month: "2010-12",
        orders: 1,
        sales_lines: 2,
        revenue: 144_000,
        return_orders: 0,
        returns: 0,
      },
      {
        customer_id: "12680",
        country: "France",
        first_purchase_at: "2011-12-09T12:50:00",
        last_purchase_at: "2011-12-09T12:50:00",
        cohort_month: "2011-12",
        orders: 1,
        sales_lines: 2,
        revenue: 22_800,
        return_orders: 0,
        returns: 0,
      },
      {
        customer_id: "13047",
        country: "United Kingdom",
        first_purchase_at: "2010-12-01T08:34:00",
        last_purchase_at: "2011-08-01T10:00:00",
        cohort_month: "2010-12",
        orders: 2,
        sales_lines: 3,
        revenue: 75_000,
        return_orders: 0,
        returns: 0,
      },
      {
        customer_id: "17850",
        country: "United Kingdom",
        first_purchase_at: "2010-12-01T08:26:00",
        last_purchase_at: "2010-12-01T08:28:00",
        cohort_month: "2010-12",
        orders: 2,
        sales_lines: 5,
        revenue: 68_840,
        return_orders: 0,
        returns: 0,
      },
    ]);
    const orders = sqlite
      .prepare(
        "SELECT invoice, kind, customer_id, invoice_month, lines, amount FROM orders WHERE invoice IN ('536544', 'C536379') ORDER BY invoice",
      )
      .all();
    expect(orders).toEqual([
      { invoice: "536544", kind: "sale", customer_id: null, invoice_month: "2010-12", lines: 2, amount: 7_530 },
      { invoice: "C536379", kind: "return", customer_id: "14527", invoice_month: "2010-12", lines: 1, amount: -27_500 },
    ]);
    expect(listDatasets(t.db)).toMatchObject([
      { name: "online-retail-rules", active: true, report: { linesRead: report.linesRead } },
    ]);
  });

  it("reads the same file gzip-compressed, LF line ends, or with a UTF-8 BOM the same way", async () => {
    const latin1 = readFileSync(fixture("online-retail-rules.csv"));
    const gz = join(t.dir, "rules.csv.gz");
    writeFileSync(gz, gzipSync(latin1));
    const fromGzip = await importFile(t.db, gz);
    expect(fromGzip).toMatchObject(EXPECTED);

    const utf8 = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(latin1.toString("latin1").replace(/\r\n/g, "\n"), "utf8"),
    ]);
    const bomLf = join(t.dir, "rules-utf8.csv");
    writeFileSync(bomLf, utf8);
    const fromUtf8 = await importFile(t.db, bomLf);
    expect(fromUtf8).toMatchObject({ ...EXPECTED, encoding: "utf-8-bom" });
    const descriptions = t.db.$client
      .prepare("SELECT DISTINCT description FROM products WHERE stock_code = '22000'")
      .all();
    expect(descriptions).toEqual([{ description: '£5 OFF "SPECIAL" TIN' }]);
  });
});

describe("the other layouts", () => {
  let t: ReturnType<typeof tempDb>;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());

  it("reads Online Retail II: UTF-8 with BOM, ISO dates, 13085.0 customer ids", async () => {
    const report = await importFile(t.db, fixture("online-retail-ii.csv"));
    expect(report).toMatchObject({
      format: "online-retail-ii",
      encoding: "utf-8-bom",
      dateFormat: "YYYY-MM-DD HH:MM:SS",
      linesRead: 6,
      cancellationLines: 1,
      salesLines: 5,
      salesRevenue: 225.45, // 83.40 + 81.00 + 30.60 + 17.85 + 12.60
      salesLinesWithoutCustomer: 1,
      customers: 2,
      customerRevenue: 207.6,
      invoices: 4,
      cancelledValue: 35.4,
      dateRange: ["2009-12-01T07:45:00", "2009-12-01T10:33:00"],
    });
    const ids = t.db.$client.prepare("SELECT customer_id FROM customers ORDER BY customer_id").all();
    expect(ids).toEqual([{ customer_id: "13085" }, { customer_id: "15362" }]);
    expect(t.db.$client.prepare("SELECT description FROM products WHERE stock_code = '22350'").get()).toEqual({
      description: "CAT BOWL £2",
    });
  });

  it("reads a mapped CSV without invoice column: YYYYMMDD dates, leading zeros kept, equal lines kept as purchases", async () => {
    const report = await importFile(t.db, fixture("mapped-no-invoice.csv"), {
      map: { customer: "customer_id", date: "date", amount: "dollars" },
    });
    expect(report).toMatchObject({
      format: "mapped",
      dateFormat: "YYYYMMDD",
      linesRead: 8,
      duplicateLines: 0,
      salesLines: 7,
      invalidLines: 1,
      salesRevenue: 192.61,
      customers: 4,
      invoices: 6, // a customer's lines on one date form one order
    });
    const c4 = t.db.$client
      .prepare("SELECT orders, sales_lines, revenue FROM customers WHERE customer_id = '00004'")
      .get();
    expect(c4).toEqual({ orders: 2, sales_lines: 3, revenue: 88_790 });
  });

  it("takes an explicit date format over detection", async () => {
    const report = await importFile(t.db, fixture("mapped-no-invoice.csv"), {
      map: { customer: "customer_id", date: "date", amount: "dollars", quantity: "cds" },
      dateFormat: "YYYYMMDD",
    });
    expect(report.dateFormat).toBe("YYYYMMDD");
    // with quantity mapped, the zero-quantity line is invalid for its quantity
    expect(report.invalidReasons).toEqual({ "quantity not positive": 1 });
  });
});
