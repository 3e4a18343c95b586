import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";
import { cli } from "../support/cli";
import { fixture } from "../support/db";

// The context pages in a real browser on demo data (plus a small file whose descriptions look like HTML and formulas).
describe("context pages", () => {
  const app = useApp(
    {},
    {
      prepare: (db) => {
        expect(
          cli(["import", fixture("html-descriptions.csv"), "--db", db, "--workspace", "Tricky descriptions"]).code,
        ).toBe(0);
        expect(cli(["seed", "--lines", "40000", "--db", db]).code).toBe(0); // the latest import is the active data set
      },
    },
  );

  const report = async (name: string) => (await fetch(`${app.url}/api/report/${name}`)).json();
  /** A month's tick label as the bar charts write it: "2011-12*" for a month the data covers only in part. */
  const tick = (m: { month: string; partial: boolean }) => `${m.month}${m.partial ? "*" : ""}`;

  it("overview: KPI cards, both charts and the written insights", async () => {
    await app.page.goto(`${app.url}/overview`);
    await app.page.getByTestId("kpis").waitFor();
    expect(await app.page.getByTestId("kpi-customers").innerText()).toBe("320"); // 40,000 lines → 320 demo customers
    type Month = { month: string; revenue: number; newCustomers: number; returningCustomers: number; partial: boolean };
    const months: Month[] = (await report("overview")).monthly;
    // the trend (revenue by default): one point per month, the x axis names every month in order, heights follow revenue
    const trend = await drawn(app.page, "chart-monthly-trend");
    expect(trend.points).toBe(months.length);
    expect(trend.lines).toHaveLength(1);
    expect(trend.texts.filter((t) => /^\d{4}-\d\d$/.test(t))).toEqual(months.map((m) => m.month));
    expect(trend.texts.filter((t) => /^\d{4}-\d\d$/.test(t)).at(-1)).toBe("2011-12");
    expectLinear(
      months.map((m) => m.revenue),
      trend.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    // new vs returning: two bars a month with the API's counts, their heights in proportion, partial months starred
    const bars = await drawn(app.page, "chart-new-returning");
    const expected = months.flatMap((m) => [
      `New ${m.month}: ${m.newCustomers.toLocaleString("en-GB")}`,
      `Returning ${m.month}: ${m.returningCustomers.toLocaleString("en-GB")}`,
    ]);
    expect(bars.bars.map((b) => b.label).sort()).toEqual(expected.sort());
    expectLinear(
      months.flatMap((m) => [m.newCustomers, m.returningCustomers]),
      months.flatMap((_, i) => [bars.bars[i].height, bars.bars[months.length + i].height]),
      { throughZero: true },
    );
    expect(bars.texts.filter((t) => /^\d{4}-\d\d\*?$/.test(t))).toEqual(months.map(tick));
    const insights = await app.page.getByTestId("insights").innerText();
    expect(insights).toMatch(/The top 20% of customers \(64 of 320\) bring \d+\.\d% of customer revenue\./);
    expect(insights).toMatch(/November 2011 is the peak month/);
    expect(insights).toMatch(/The largest market outside United Kingdom is/);
  });

  it("a filter changes the numbers and the URL, and the URL reproduces the view", async () => {
    await app.page.goto(`${app.url}/overview`);
    const before = await app.page.getByTestId("kpi-revenue").innerText();
    await app.page.getByLabel("From").fill("2011-06-01");
    await app.page.waitForURL(/from=2011-06-01/);
    await app.page.waitForFunction(
      (b) => document.querySelector("[data-testid=kpi-revenue]")?.textContent !== b,
      before,
    );
    const filtered = await app.page.getByTestId("kpi-revenue").innerText();
    expect(filtered).not.toBe(before);
    // the changes against the previous period of the same length now show
    expect(await app.page.getByTestId("kpis").innerText()).toMatch(/vs previous period/);

    await app.page.getByRole("textbox", { name: "Country" }).click();
    await app.page.getByRole("option", { name: "Germany", exact: true }).click();
    await app.page.waitForURL(/country=Germany/);
    await app.page.waitForFunction(
      (b) => document.querySelector("[data-testid=kpi-revenue]")?.textContent !== b,
      filtered,
    );
    const germany = await app.page.getByTestId("kpi-revenue").innerText();
    const url = app.page.url();
    await app.page.goto(url);
    expect(await app.page.getByTestId("kpi-revenue").innerText()).toBe(germany);
    // the API gives the same figure for the same filter
    const api = await (await fetch(`${app.url}/api/report/overview?${new URL(url).searchParams}`)).json();
    expect(`£${api.kpis.current.revenue.toLocaleString("en-GB", { minimumFractionDigits: 2 })}`).toBe(germany); // the demo data set is in GBP
  });

  it("cohorts: heatmap with its three views, and the time-to-second-purchase curve", async () => {
    await app.page.goto(`${app.url}/cohorts`);
    type Cohort = { month: string; size: number; active: number[] };
    const api = await report("cohorts");
    const cohorts: Cohort[] = api.cohorts.filter((c: Cohort) => c.size > 0);
    const width = api.cohorts[0].active.length;
    // every cell is the API's share of the cohort active in month k (as the page rounds it), month 0 being 100%; the
    // last column of each cohort is the data's last month, starred when partial; cohorts end in empty cells
    const heat = await drawn(app.page, "cohort-heatmap");
    const rowId = (c: Cohort) =>
      `${c.month} (${c.size.toLocaleString("en-GB")})${c.month === api.cohorts[0].month && api.coverage.first.partial ? " partial" : ""}`;
    const cellLabel = (c: Cohort, k: number) =>
      k >= c.active.length
        ? ""
        : `${((c.active[k] / c.size) * 100).toFixed(0)}%${k === c.active.length - 1 && api.coverage.last.partial ? "*" : ""}`;
    expect(heat.cells).toEqual(
      cohorts.flatMap((c) =>
        Array.from({ length: width }, (_, k) => ({ id: `${rowId(c)}.${k}`, label: cellLabel(c, k) })),
      ),
    );
    expect(heat.cells.filter((c) => c.id.endsWith(".0")).every((c) => /^100%\*?$/.test(c.label))).toBe(true);
    expect(heat.texts).toEqual(expect.arrayContaining(cohorts.map(rowId)));
    // the second-purchase curve: one vertex per day with a share, its height following the API's share
    const curve: { days: number; share: number | null }[] = api.secondPurchase.curve.filter(
      (c: { share: number | null }) => c.share !== null,
    );
    const second = await drawn(app.page, "chart-second-purchase");
    expect(second.lines).toHaveLength(1);
    expectLinear(
      curve.map((c) => c.share!),
      second.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    expectLinear(
      curve.map((c) => c.days),
      second.lines[0].map((p) => p.x),
    );
    expect(second.texts).toEqual(expect.arrayContaining(["Day 7", "Day 30", "Day 90"]));
    expect(await app.page.getByTestId("second-purchase-callouts").innerText()).toMatch(/DAY 7\s+\d+\.\d%/i);
    expect(await app.page.getByTestId("cohort-heatmap").innerText()).toContain("100%");
    await app.page.getByText("Cumulative revenue per customer").click();
    await app.page.waitForURL(/view=cumulative/);
    // cells become money per customer (e.g. 1,049.02) instead of shares
    await app.page.waitForFunction(() =>
      /\d\.\d\d\b/.test(document.querySelector("[data-testid=cohort-heatmap]")?.textContent ?? ""),
    );
    expect(await app.page.getByTestId("cohort-heatmap").innerText()).not.toContain("%");
  });

  it("revenue: countries, Pareto, seasonality charts and tables with CSV downloads", async () => {
    await app.page.goto(`${app.url}/revenue`);
    // countries: the bars are the table's first 15 rows (the API's order), largest at the top, lengths in proportion
    const countries: { country: string; revenue: number }[] = (await report("countries")).countries;
    const tableRows = await app.page
      .getByTestId("countries-table")
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(tableRows.map((r) => r[0])).toEqual(countries.map((c) => c.country));
    const top = countries.slice(0, 15);
    const byCountry = await drawn(app.page, "chart-countries");
    expect(byCountry.bars.map((b) => b.label)).toEqual(
      tableRows
        .slice(0, 15)
        .map((r) => `${r[0]}: ${r[1]}`)
        .reverse(),
    );
    expectLinear(
      [...top].reverse().map((c) => c.revenue),
      byCountry.bars.map((b) => b.width),
      { throughZero: true },
    );
    // Pareto: one vertex per ranked product at its cumulative share
    const products = await report("products");
    const pareto = await drawn(app.page, "chart-pareto");
    expect(pareto.lines[0]).toHaveLength(products.curve.length);
    expectLinear(
      products.curve.map((p: { cumulativeShare: number }) => p.cumulativeShare),
      pareto.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    expect(pareto.texts).toContain(`product rank (all ${products.productCount} products)`);
    // revenue by month: one bar per month with its revenue, heights in proportion, partial months starred
    const season = await report("seasonality");
    const monthBars = await drawn(app.page, "chart-season-months");
    expect(monthBars.bars.map((b) => b.label!.split(":")[0])).toEqual(
      season.months.map((m: { month: string }) => m.month),
    );
    expectLinear(
      season.months.map((m: { revenue: number }) => m.revenue),
      monthBars.bars.map((b) => b.height),
      { throughZero: true },
    );
    expect(monthBars.texts.filter((t) => /^\d{4}-\d\d\*?$/.test(t))).toEqual(season.months.map(tick));
    // weekday × hour: a cell per weekday and hour (hours with any order), labelled with the API's order count
    const grid: number[][] = season.weekdayHour;
    const hours = [...Array(24).keys()].filter((h) => grid.some((row) => row[h] > 0));
    const cells = await drawn(app.page, "chart-weekday-hour");
    expect(cells.cells.map((c) => c.label)).toEqual(
      grid.flatMap((row) =>
        Array.from({ length: hours.at(-1)! - hours[0] + 1 }, (_, i) => row[hours[0] + i].toLocaleString("en-GB")),
      ),
    );
    expect(cells.cells[0].id).toBe(`Mon.${hours[0]}h`);
    expect(await app.page.getByTestId("pareto-summary").innerText()).toMatch(
      /\d+ of \d+ products .* make 80% of merchandise net revenue/,
    );
    const rows = await app.page.getByTestId("products-table").locator("tbody tr").count();
    expect(rows).toBe(50);
    const csvLink = await app.page.getByRole("link", { name: "Download CSV" }).first().getAttribute("href");
    const csv = await (await fetch(app.url + csvLink)).text();
    expect(csv.split("\r\n")[0]).toBe("country,revenue (GBP),share,customers,orders,average_order_value (GBP)");
    expect((await fetch(`${app.url}/api/report/monthly?from=2011-13-01`)).status).toBe(400);
    expect((await fetch(`${app.url}/api/report/weather`)).status).toBe(404);
  });

  it("renders product descriptions as text and neutralises formulas in CSV", async () => {
    await app.page.goto(`${app.url}/data`);
    const row = app.page.getByTestId("datasets").locator("tr", { hasText: "Tricky descriptions" });
    await row.getByRole("button", { name: "Make active" }).click();
    await app.page.getByText("is now the active data set").waitFor();
    await app.page.goto(`${app.url}/revenue`);
    const table = app.page.getByTestId("products-table");
    await table.getByText('<b>BOLD</b> <img src=x onerror="window.__xss=1"> TIN').waitFor();
    expect(await table.locator("b, img").count()).toBe(0);
    expect(await app.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const csv = await (await fetch(`${app.url}/api/report/products?format=csv&table=products`)).text();
    expect(csv).toContain(`2,X2,'=CMD|'/c calc'!A0,3,3,0,1,1,0.25,1\r\n`);
  });
});
