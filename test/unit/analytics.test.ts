import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { averageRetention, cohorts, retentionCells, secondPurchase } from "~/analytics/cohorts";
import { scopeOf, type Facts } from "~/analytics/facts";
import { loadFacts } from "~/analytics/facts.server";
import { filterFromSearch } from "~/analytics/filter";
import { insights, revenueConcentration } from "~/analytics/insights";
import { kpiReport, kpisFor } from "~/analytics/kpis";
import { monthly } from "~/analytics/monthly";
import { buildReport, reportTables } from "~/analytics/reports";
import { countries, mostReturned, productPareto, seasonality } from "~/analytics/revenue";
import { toCsv } from "~/lib/csv";
import { fixture, importForTest, tempDb } from "../support/db";

// test/fixtures/context-shop.csv: 9 sales orders and 2 cancellations of 4 customers (A 10001, B 10002, C 10003, D 10004)
// and one order without customer id, Jan–May 2011, April without any sale. B's first transaction is a cancellation
// (C900, 3 Jan), so B is acquired by the sale of 2 Feb. Every expected number below was worked out by hand.
let t: ReturnType<typeof tempDb>;
let facts: Facts;
beforeAll(async () => {
  t = tempDb();
  facts = loadFacts(t.db, await importForTest(t.db, fixture("context-shop.csv")));
  expect(facts.customers.ids).toHaveLength(4);
});
afterAll(() => t.cleanup());
const all = () => scopeOf(facts, {});

describe("KPIs", () => {
  it("counts revenue and orders over all sales, customers over customer sales", () => {
    expect(kpisFor(facts, all())).toEqual({
      hasData: true,
      revenue: 595, // 100 + 10 + 80 + 50 + 200 + 25 + 60 + 30 + 40
      netRevenue: 560, // 595 − cancellations 20 − 15
      orders: 9,
      customers: 4,
      averageOrderValue: 66.11, // 595 / 9
      repeatCustomerRate: 0.75, // A, B and D ordered twice or more
      refundRate: 0.0588, // (20 + 15) / 595
    });
  });

  it("compares with the previous period of the same length", () => {
    const r = kpiReport(facts, scopeOf(facts, { from: "2011-02-01", to: "2011-03-31" }), (d) =>
      new Date(d * 86_400_000).toISOString().slice(0, 10),
    );
    expect(r.period).toEqual({ from: "2011-02-01", to: "2011-03-31" });
    expect(r.previousPeriod).toEqual({ from: "2010-12-04", to: "2011-01-31" }); // 59 days before
    expect(r.current).toMatchObject({ revenue: 315, orders: 4, customers: 3 });
    expect(r.previous).toMatchObject({ revenue: 240, orders: 4, customers: 2 });
    const none = kpiReport(facts, all(), String);
    expect(none.previous).toBeNull();
  });

  it("filters by country", () => {
    expect(kpisFor(facts, scopeOf(facts, { country: "France" }))).toMatchObject({
      revenue: 100,
      orders: 2,
      customers: 1,
      repeatCustomerRate: 1,
    });
    expect(kpisFor(facts, scopeOf(facts, { country: "Atlantis" }))).toMatchObject({
      hasData: false,
      revenue: 0,
      orders: 0,
      averageOrderValue: null,
    });
  });
});

describe("monthly", () => {
  it("runs from the first to the last month, zeros included, with new customers by first purchase", () => {
    expect(monthly(facts, all())).toEqual([
      // the data runs from 3 January (C900) to 20 May: January and May are partial months (issue 14)
      {
        month: "2011-01",
        revenue: 240,
        orders: 4,
        customers: 2,
        newCustomers: 2,
        returningCustomers: 0,
        days: 29,
        daysInMonth: 31,
        partial: true,
      },
      {
        month: "2011-02",
        revenue: 225,
        orders: 2,
        customers: 1,
        newCustomers: 1,
        returningCustomers: 0,
        days: 28,
        daysInMonth: 28,
        partial: false,
      }, // B: new in Feb despite the January cancellation
      {
        month: "2011-03",
        revenue: 90,
        orders: 2,
        customers: 2,
        newCustomers: 1,
        returningCustomers: 1,
        days: 31,
        daysInMonth: 31,
        partial: false,
      },
      {
        month: "2011-04",
        revenue: 0,
        orders: 0,
        customers: 0,
        newCustomers: 0,
        returningCustomers: 0,
        days: 30,
        daysInMonth: 30,
        partial: false,
      },
      {
        month: "2011-05",
        revenue: 40,
        orders: 1,
        customers: 1,
        newCustomers: 0,
        returningCustomers: 1,
        days: 20,
        daysInMonth: 31,
        partial: true,
      },
    ]);
    // a filter that cuts a month marks it too: 10 to 28 February is 19 of 28 days
    expect(
      monthly(facts, scopeOf(facts, { from: "2011-02-10", to: "2011-03-31" })).map((m) => [m.month, m.days, m.partial]),
    ).toEqual([
      ["2011-02", 19, true],
      ["2011-03", 31, false],
    ]);
  });
});

describe("cohorts", () => {
  it("groups customers by month of first purchase, active and revenue per month since", () => {
    expect(cohorts(facts, all())).toEqual([
      { month: "2011-01", size: 2, active: [2, 0, 1, 0, 0], revenue: [230, 0, 30, 0, 0] },
      { month: "2011-02", size: 1, active: [1, 0, 0, 0], revenue: [225, 0, 0, 0] },
      { month: "2011-03", size: 1, active: [1, 0, 1], revenue: [60, 0, 40] },
      { month: "2011-04", size: 0, active: [0, 0], revenue: [0, 0] },
      { month: "2011-05", size: 0, active: [0], revenue: [0] },
    ]);
  });

  it("turns rows into the heatmap's three views and a size-weighted average", () => {
    const [jan] = cohorts(facts, all());
    expect(retentionCells(jan, "customers")).toEqual([1, 0, 0.5, 0, 0]);
    expect(retentionCells(jan, "revenue")).toEqual([1, 0, 0.1304, 0, 0]); // 30 / 230
    expect(retentionCells(jan, "cumulative")).toEqual([115, 115, 130, 130, 130]); // (230 + 30) / 2
    expect(averageRetention(cohorts(facts, all()))).toEqual([1, 0, 0.5, 0, 0]);
  });

  it("measures time to second purchase over customers observable for N days", () => {
    const s = secondPurchase(facts, all());
    expect(s.newCustomers).toBe(4);
    // gaps: A 15 days, B 7, C never, D 80; D (acquired 1 Mar) is observable for at most 80 days before 20 May
    expect(s.callouts).toEqual([
      { days: 7, share: 0.25 },
      { days: 30, share: 0.5 },
      { days: 90, share: 0.6667 },
    ]);
    expect(s.curve[79]).toEqual({ days: 80, share: 0.75, observed: 4 });
    expect(s.curve[6]).toEqual({ days: 7, share: 0.25, observed: 4 });
    expect(s.curve).toHaveLength(180);
  });
});

describe("revenue", () => {
  it("ranks countries with share, customers, orders and AOV", () => {
    expect(countries(facts, all())).toEqual([
      { country: "United Kingdom", revenue: 415, share: 0.6975, customers: 2, orders: 6, averageOrderValue: 69.17 },
      { country: "France", revenue: 100, share: 0.1681, customers: 1, orders: 2, averageOrderValue: 50 },
      { country: "Germany", revenue: 80, share: 0.1345, customers: 1, orders: 1, averageOrderValue: 80 },
    ]);
  });

  it("builds the products Pareto without non-merchandise codes", () => {
    const p = productPareto(facts, all());
    // net of returns (issue 14): P4 200 − 20 = 180, P3 100 − 15 = 85; total 595 − POST 20 − returns 35 = 540
    expect(p.merchandiseRevenue).toBe(540);
    expect(p.productCount).toBe(5);
    expect(p.productsFor80).toBe(4); // 180, 320, 420 (77.8%), 505 (93.5%)
    expect(p.products.map((r) => [r.stockCode, r.revenue, r.sales, r.returns, r.cumulativeShare])).toEqual([
      ["P4", 180, 200, 20, 0.3333],
      ["P2", 140, 140, 0, 0.5926],
      ["P1", 100, 100, 0, 0.7778],
      ["P3", 85, 100, 15, 0.9352],
      ["P5", 35, 35, 0, 1],
    ]);
    expect(p.curve).toEqual(
      [1, 2, 3, 4, 5].map((rank, i) => ({ rank, cumulativeShare: p.products[i].cumulativeShare })),
    );
    expect(p.products[2]).toMatchObject({ description: "RED MUG", quantity: 20, orders: 3 });
    expect(mostReturned(facts, all())).toEqual([
      { stockCode: "P4", description: "PINK TEAPOT", returnedValue: 20, returnedQuantity: 1 },
      { stockCode: "P3", description: "GREEN LAMP", returnedValue: 15, returnedQuantity: 1 },
    ]);
  });

  it("counts orders by weekday and hour, and revenue by month", () => {
    const s = seasonality(facts, all());
    expect(s.months.map((m) => m.revenue)).toEqual([240, 225, 90, 0, 40]);
    const cells: [number, number, number][] = [];
    s.weekdayHour.forEach((row, d) => row.forEach((n, h) => n && cells.push([d, h, n])));
    // Mon 10 Jan 10h; Tue 1 Mar 15h; Wed 5 Jan 9h, 2 Feb 13h, 9 Feb 14h; Thu 20 Jan 12h, 10 Mar 16h; Fri 20 May 10h; Sat 15 Jan 11h
    expect(cells).toEqual([
      [0, 10, 1],
      [1, 15, 1],
      [2, 9, 1],
      [2, 13, 1],
      [2, 14, 1],
      [3, 12, 1],
      [3, 16, 1],
      [4, 10, 1],
      [5, 11, 1],
    ]);
  });
});

describe("insights", () => {
  it("writes each insight as a sentence with its numbers", () => {
    expect(revenueConcentration(facts, all())).toEqual({ customers: 4, top: 1, share: 0.3846 }); // B: 225 of 585
    const byKey = Object.fromEntries(insights(facts, all()).map((i) => [i.key, i]));
    expect(byKey.concentration.text).toBe("The top 20% of customers (1 of 4) bring 38.5% of customer revenue.");
    expect(byKey.seasonality.values).toMatchObject({ peak: "2011-02", weakest: "2011-04", weakestRevenue: 0 });
    expect(byKey.seasonality.text).toMatch(
      /^February 2011 is the peak month \(£225\.00 revenue, 2 orders\); April 2011 is the weakest \(£0\.00\), counting only months the period covers in full \(January 2011 is partial \(29 of 31 days\); May 2011 is partial \(20 of 31 days\)\)\.$/,
    );
    // the data ends on 20 May, so May (each cohort's last column) is left out: month 2 = Jan cohort 1/2 + Feb cohort 0/1
    expect(byKey.retention.text).toBe(
      "Month-1 retention averages 0.0% across cohorts (weighted by cohort size, complete months only); after that, retention falls most from month 2 to month 3 (33.3% → 0.0%).",
    );
    expect(byKey.repeat.text).toBe("75.0% of the 4 customers ordered more than once in the period.");
    expect(byKey.market.text).toBe(
      "The largest market outside United Kingdom is France: £100.00 (16.8% of revenue, 1 customer).",
    );
    expect(byKey.refunds.text).toBe(
      "Cancellations amount to 5.9% of sales value; the most returned products are PINK TEAPOT (£20.00), GREEN LAMP (£15.00).",
    );
    expect(byKey["second-purchase"].values).toMatchObject({ day30: 0.5 });
  });
});

describe("reports", () => {
  it("gives the contract shapes for monthly and cohorts", () => {
    expect(buildReport(facts, "monthly", {})).toMatchObject({
      filter: { from: "2011-01-03", to: "2011-05-20", country: null },
      monthly: expect.any(Array),
    });
    expect(buildReport(facts, "cohorts", { country: "France" }).cohorts[2]).toEqual({
      month: "2011-03",
      size: 1,
      active: [1, 0, 1],
      revenue: [60, 0, 40],
    });
  });

  it("exports tables with formula injection neutralised and numbers kept as numbers", () => {
    const [products] = reportTables("products", buildReport(facts, "products", {}), facts.currency);
    const csv = toCsv(products.header, products.rows);
    expect(csv).toContain(`5,P5,"'=HYPERLINK(""x"") CARD",35,35,0,7,2,0.0648,1\r\n`); // 35 / 540
    expect(csv.split("\r\n")[0]).toBe(
      "rank,stock_code,description,net_revenue (GBP),sales (GBP),returns (GBP),quantity,orders,share,cumulative_share",
    );
  });

  it("validates filters", () => {
    expect(filterFromSearch(new URLSearchParams("from=2011-02-01&to=2011-03-31&country=France")).data).toEqual({
      from: "2011-02-01",
      to: "2011-03-31",
      country: "France",
    });
    expect(filterFromSearch(new URLSearchParams("from=&to=")).data).toEqual({});
    expect(filterFromSearch(new URLSearchParams("from=2011-02-30")).success).toBe(false);
    // not a date at all: one message, not a RangeError from the real-date check (it was a 500)
    expect(filterFromSearch(new URLSearchParams("from=yesterday")).error?.issues.map((i) => i.message)).toEqual([
      "use YYYY-MM-DD",
    ]);
    expect(filterFromSearch(new URLSearchParams("from=2011-03-01&to=2011-02-01")).error?.issues[0].message).toBe(
      "from is after to",
    );
  });
});
