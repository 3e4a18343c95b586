import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayNumber, scopeOf, type Filter } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { insights } from "~/analytics/insights";
import { kpisFor } from "~/analytics/kpis";
import { monthly } from "~/analytics/monthly";
import { buildReport, cohortsReport, reportTables, type ReportName } from "~/analytics/reports";
import { productPareto, seasonality } from "~/analytics/revenue";
import { getDataset, setDatasetCurrency } from "~/db/datasets.server";
import { memberOf, rfmAsOf } from "~/experiments/backtest";
import { bestMonths } from "~/planning/plan.server";
import { recommendations } from "~/planning/recommendations.server";
import { savedAudienceBaselines } from "~/experiments/audience-baselines.server";
import { audienceFor, audienceMembers, audienceSize, listAudiences, saveAudience } from "~/segments/audiences.server";
import { customerDetail, rfmCsvHeader, segmentRun } from "~/segments/queries.server";
import { hasSegments } from "~/segments/compute.server";
import { deriveMissing } from "~/derive/derive.server";
import { audienceFromForm } from "~/segments/audience-form";
import { segmentsReport } from "~/segments/report.server";
import { cli } from "../support/cli";
import { fixture, importForTest, tempDb } from "../support/db";

// test/fixtures/figures-shop.csv (issue 14), worked by hand. Data from 23 March to 9 May 2011: March and May are partial
// (9 of 31 days each), April is full.
//   30001 UK      sale 600 (23 Mar) 50; return C700 (10 Apr) 80: returns exceed sales → net 0
//   30002 UK      sale 601 (5 Apr) 80; sale 602 (9 May) 20 fully cancelled by C701 twelve minutes later → net 80
//   30003 France  sale 603 (20 Apr) 110 (GOLD CLOCK 100 + lamp 10); C702 cancels every GOLD CLOCK sold → net 10
//   30004 Germany sale 604 (25 Mar) 100; sale 605 (28 Apr) 10 → net 110
//   606 without customer (15 Apr) 10
// RFM as of 9 May (numpy-style linear percentiles over 4 customers):
//   recency   30001 47, 30002 0, 30003 19, 30004 11 → 6.6, 12.6, 17.4, 30.2 → R 1, 5, 2, 4
//   frequency 1, 2, 1, 2                            → 1, 1.2, 1.8, 2      → F 1, 4, 1, 4
//   net M     0, 80, 10, 110                        → 6, 24, 66, 92       → M 1, 4, 2, 5
//   FM 1, 4, 2, 5 → Lost, Champions, Need Attention, Champions
// Products net: P2 160 − 80 = 80, P1 80 − 20 = 60, P3 40, P4 100 − 100 = 0 (not ranked).
describe("figures a marketer can trust, on a hand-made shop", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    id = await importForTest(t.db, fixture("figures-shop.csv"));
  });
  afterAll(() => t.cleanup());

  it("scores customers on spend net of returns, floored at 0", () => {
    const rows = t.db.$client
      .prepare(
        "SELECT customer_id AS id, recency, frequency, monetary, r, f, m, segment FROM customer_rfm ORDER BY customer_id",
      )
      .all();
    expect(rows).toEqual([
      { id: "30001", recency: 47, frequency: 1, monetary: 0, r: 1, f: 1, m: 1, segment: "Lost" },
      { id: "30002", recency: 0, frequency: 2, monetary: 80_000, r: 5, f: 4, m: 4, segment: "Champions" },
      { id: "30003", recency: 19, frequency: 1, monetary: 10_000, r: 2, f: 1, m: 2, segment: "Need Attention" },
      { id: "30004", recency: 11, frequency: 2, monetary: 110_000, r: 4, f: 4, m: 5, segment: "Champions" },
    ]);
    const round = (xs: number[]) => xs.map((x) => Math.round(x * 1e9) / 1e9);
    expect(round(segmentRun(t.db, id).cuts.monetary)).toEqual([6, 24, 66, 92]);
    expect(round(segmentRun(t.db, id).cuts.recency)).toEqual([6.6, 12.6, 17.4, 30.2]);
  });

  it("shows gross sales, returns and net on the customer, and net revenue per segment", () => {
    expect(customerDetail(t.db, id, "30001")!.rfm).toMatchObject({
      sales: 50,
      returns: 80,
      monetary: 0,
      returnOrders: 1,
    });
    expect(customerDetail(t.db, id, "30002")!.rfm).toMatchObject({
      sales: 100,
      returns: 20,
      monetary: 80,
      frequency: 2,
    });
    const report = segmentsReport(t.db, id);
    expect(report).toMatchObject({ revenueBasis: "net of returns", netRevenue: 200 });
    const by = Object.fromEntries(
      report.segments.filter((s) => s.customers).map((s) => [s.name, [s.customers, s.revenue]]),
    );
    expect(by).toEqual({ Champions: [2, 190], "Need Attention": [1, 10], Lost: [1, 0] });
  });

  it("filters audiences by net spend, and the as-of-T back-test uses the same definition", () => {
    const spenders = { kind: "filter" as const, monetary: { min: 50 } }; // by gross sales 30001 (50) would be in
    expect(audienceSize(t.db, id, spenders)).toEqual({ customers: 2, revenue: 190 });
    expect(audienceMembers(t.db, id, spenders)).toEqual(["30002", "30004"]);
    const facts = getFacts(t.db, id);
    expect(
      rfmAsOf(facts, facts.lastDay)
        .filter((c) => memberOf(c, spenders, null))
        .map((c) => c.customerId),
    ).toEqual(["30002", "30004"]);
    // as of T, only returns up to T count: 30001's return (10 April) is not seen on 9 April
    const spendOn = (day: string) => rfmAsOf(facts, dayNumber(day)).find((c) => c.customerId === "30001")!.monetary;
    expect([spendOn("2011-04-09"), spendOn("2011-04-10")]).toEqual([50, 0]);
  });

  it("ranks products by net revenue: the fully cancelled product is not ranked, 'most returned' keeps it", () => {
    const p = productPareto(facts(), all());
    expect(p.products.map((r) => [r.stockCode, r.revenue, r.sales, r.returns, r.cumulativeShare])).toEqual([
      ["P2", 80, 160, 80, 0.4444], // 80 / 180
      ["P1", 60, 80, 20, 0.7778],
      ["P3", 40, 40, 0, 1],
    ]);
    expect([p.merchandiseRevenue, p.productCount, p.productsFor80]).toEqual([180, 3, 3]);
    expect(p.curve.at(-1)).toEqual({ rank: 3, cumulativeShare: 1 }); // the chart reaches the 80% line
    const [, returned] = tablesOf("products", {});
    expect(returned.rows[0]).toEqual(["P4", "GOLD CLOCK", 100, 2]);
  });

  it("gives revenue and net revenue on the overview", () => {
    expect(kpisFor(facts(), all())).toMatchObject({ revenue: 380, netRevenue: 180, orders: 7, refundRate: 0.5263 }); // 380 − 200; 200 / 380
  });

  it("marks the partial first and last months and leaves them out of month comparisons", () => {
    expect(monthly(facts(), all()).map((m) => [m.month, m.revenue, m.days, m.daysInMonth, m.partial])).toEqual([
      ["2011-03", 150, 9, 31, true],
      ["2011-04", 210, 30, 30, false],
      ["2011-05", 20, 9, 31, true],
    ]);
    expect(seasonality(facts(), all()).months.map((m) => m.partial)).toEqual([true, false, true]);
    // one full month: no peak/weakest month sentence at all
    expect(insights(facts(), all()).map((i) => i.key)).not.toContain("seasonality");
    // best months: April only (210 over 30002, 30003 and 30004), never the partial March or May
    expect(bestMonths(t.db, id)).toEqual([{ month: "2011-04", revenuePerCustomer: 70, customers: 3 }]);
    expect(recommendations(t.db, id).find((r) => r.key === "peak-months")!.text).toMatch(
      /^Revenue per active customer is highest in April 2011 \(£70\.00\) \(months the data covers only in part are left out\)/,
    );
    const c = cohortsReport(facts(), {});
    expect(c.coverage).toEqual({
      first: { days: 9, daysInMonth: 31, partial: true },
      last: { days: 9, daysInMonth: 31, partial: true },
    });
    expect(c.cohorts.map((r) => [r.month, r.size])).toEqual([
      ["2011-03", 2],
      ["2011-04", 2],
      ["2011-05", 0],
    ]);
    // the cohort CSVs mark them as the heatmap does: March acquired in 9 of 31 days; every last column (May) 9 of 31
    const [active, revenue] = tablesOf("cohorts", {});
    expect(active.header).toEqual([
      "cohort",
      "size",
      "m0",
      "m1",
      "m2",
      "cohort_month_coverage",
      "last_column_coverage",
    ]);
    expect(revenue.header.slice(-2)).toEqual(["cohort_month_coverage", "last_column_coverage"]);
    // every row as wide as the header: a later cohort's missing months are empty cells, not its coverage shifted left
    for (const t of [active, revenue]) for (const row of t.rows) expect(row).toHaveLength(t.header.length);
    expect(active.rows[2].slice(2, 5)).toEqual([0, null, null]);
    for (const t of [active, revenue])
      expect(t.rows.map((r) => [r[0], ...r.slice(-2)])).toEqual([
        ["2011-03", "partial (9 of 31 days)", "partial (9 of 31 days)"],
        ["2011-04", "full", "partial (9 of 31 days)"],
        ["2011-05", "partial (9 of 31 days)", "partial (9 of 31 days)"],
      ]);
    // a filter ending on a month's last day leaves the last column complete
    expect(tablesOf("cohorts", { from: "2011-04-01", to: "2011-04-30" })[0].rows.map((r) => r.slice(-2))).toEqual([
      ["full", "full"],
    ]);
    // a filter that covers April in full has no partial month
    expect(monthly(facts(), scopeOf(facts(), { from: "2011-04-01", to: "2011-04-30" })).map((m) => m.partial)).toEqual([
      false,
    ]);
  });

  it("writes money in the data set's currency: GBP by default for Online Retail, changed in place", () => {
    expect(getDataset(t.db, id)!.currency).toBe("GBP");
    expect(tablesOf("monthly", {})[0].header.slice(0, 2)).toEqual(["month", "revenue (GBP)"]);
    expect(rfmCsvHeader(t.db, id)[3]).toBe("Monetary (GBP)");
    setDatasetCurrency(t.db, id, "EUR");
    // a new currency is a new data version: the facts are reloaded and every figure written again (France and Germany
    // tie at 110: the market sentence names the first by name)
    expect(facts().currency).toBe("EUR");
    expect(insights(facts(), all()).find((i) => i.key === "market")!.text).toBe(
      "The largest market outside United Kingdom is France: €110.00 (28.9% of revenue, 1 customer).",
    );
    setDatasetCurrency(t.db, id, null);
    expect(tablesOf("countries", {})[0].header).toEqual([
      "country",
      "revenue",
      "share",
      "customers",
      "orders",
      "average_order_value",
    ]);
    expect(insights(facts(), all()).find((i) => i.key === "market")!.text).toContain("France: 110.00 (");
    setDatasetCurrency(t.db, id, "GBP");
  });

  it("refuses duplicate audiences; 'Use as audience' returns the one saved; a grid cell is an audience", () => {
    const champions = { name: "Champions", definition: { kind: "segment" as const, segment: "Champions" as const } };
    const first = audienceFor(t.db, id, champions);
    expect(first.existed).toBe(false);
    expect(audienceFor(t.db, id, champions)).toEqual({ id: first.id, existed: true });
    expect(() => saveAudience(t.db, id, { ...champions, name: "champions " })).toThrow(
      /An audience named "Champions" already exists/,
    );
    expect(() => saveAudience(t.db, id, { ...champions, name: "Best" })).toThrow(
      /"Champions" already has this definition/,
    );
    // the same name for another definition gets the first free name
    expect(
      audienceFor(t.db, id, { name: "Champions", definition: { kind: "filter", cell: { r: 5, fm: 4 } } }).existed,
    ).toBe(false);
    expect(listAudiences(t.db, id).map((a) => [a.name, a.customers])).toEqual([
      ["Champions", 2],
      ["Champions (2)", 1],
    ]); // R5 × FM4: 30002
    expect(audienceMembers(t.db, id, { kind: "filter", cell: { r: 4, fm: 5 } })).toEqual(["30004"]);
    // editing it on the audiences page keeps the cell (hidden fields of the form)
    const form = new FormData();
    for (const [k, v] of Object.entries({
      name: "Top cell",
      kind: "filter",
      cellR: "4",
      cellFm: "5",
      monetaryMin: "100",
    }))
      form.append(k, v);
    expect(audienceFromForm(form).data?.definition).toMatchObject({
      kind: "filter",
      cell: { r: 4, fm: 5 },
      monetary: { min: 100 },
    });
  });

  it("sizes the power calculator from a saved audience's back-test", () => {
    // W = 30: T = 9 April. As of T (30001's return of 10 April unseen): recency 30001 17, 30002 4, 30004 15 → R 1, 5, 3;
    // F 1 for all; M 50, 80, 100 → 1, 3, 5; so 30002 (FM 2) and 30004 (FM 3) are Potential Loyalists. Over 10 April –
    // 9 May both buy: 30002 20 (the order later cancelled), 30004 10 → conversion 1, mean 15, sd √50 = 7.0711.
    const { id: audience } = audienceFor(t.db, id, {
      name: "Potential Loyalists",
      definition: { kind: "segment", segment: "Potential Loyalists" },
    });
    const b = savedAudienceBaselines(t.db, id, audience, 30)!;
    expect(b).toMatchObject({
      name: "Potential Loyalists",
      referenceDate: "2011-04-09",
      windowStart: "2011-04-10",
      windowEnd: "2011-05-09",
      members: 2,
    });
    expect([b.baselines.conversion, b.baselines.revenueMean, Math.round(b.baselines.revenueSd! * 1e4) / 1e4]).toEqual([
      1, 15, 7.0711,
    ]);
    expect(savedAudienceBaselines(t.db, id, 9999, 30)).toBeNull();
  });

  it("derives again, once at start, segments stored on gross sales (before issue 14), keeping the chosen k", () => {
    const k = segmentRun(t.db, id).chosenK;
    t.db.$client
      .prepare("UPDATE segment_runs SET cuts = json_remove(cuts, '$.monetaryBasis') WHERE dataset_id = ?")
      .run(id);
    t.db.$client
      .prepare("UPDATE customer_rfm SET monetary = 50000 WHERE dataset_id = ? AND customer_id = '30001'")
      .run(id); // as gross sales had it
    expect(hasSegments(t.db, id)).toBe(false);
    expect(deriveMissing(t.db)).toEqual([id]);
    expect(hasSegments(t.db, id)).toBe(true);
    expect(deriveMissing(t.db)).toEqual([]); // once
    expect(
      t.db.$client
        .prepare("SELECT monetary FROM customer_rfm WHERE dataset_id = ? AND customer_id = '30001'")
        .pluck()
        .get(id),
    ).toBe(0);
    expect(segmentRun(t.db, id).chosenK).toBe(k);
  });

  const facts = () => getFacts(t.db, id);
  const all = () => scopeOf(facts(), {});
  const tablesOf = (name: ReportName, filter: Filter) =>
    reportTables(name, buildReport(facts(), name, filter), facts().currency);
});

describe("currency at import (CLI)", () => {
  let t: ReturnType<typeof tempDb>;
  beforeAll(() => (t = tempDb()));
  afterAll(() => t.cleanup());
  const mapped = [
    "--map",
    "customer=customer_id",
    "--map",
    "date=date",
    "--map",
    "amount=dollars",
    "--date-format",
    "YYYYMMDD",
  ];

  it("takes --currency for another layout, imports without one as plain numbers, and `currency` changes it", () => {
    const bad = cli(["import", fixture("mapped-no-invoice.csv"), "--db", t.path, ...mapped, "--currency", "EURO"]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/--currency: currency "EURO" is not an ISO 4217 currency code/),
    ]);
    const plain = cli([
      "import",
      fixture("mapped-no-invoice.csv"),
      "--db",
      t.path,
      ...mapped,
      "--workspace",
      "Plain",
      "--json",
    ]);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).currency).toBeNull();
    const usd = cli([
      "import",
      fixture("mapped-no-invoice.csv"),
      "--db",
      t.path,
      ...mapped,
      "--workspace",
      "Dollars",
      "--replace",
      "--currency",
      "usd",
      "--json",
    ]);
    expect(JSON.parse(usd.stdout).currency).toBe("USD");
    const countries = cli(["report", "countries", "--db", t.path, "--json"]);
    expect(countries.code).toBe(0);
    const set = cli(["currency", "none", "--db", t.path, "--json"]);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: "Dollars", currency: null });
    expect(cli(["currency", "ABCD", "--db", t.path]).code).toBe(2);
  });
});
