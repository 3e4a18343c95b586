import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
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

  const svgIn = async (testId: string) => {
    await app.page.getByTestId(testId).locator("svg").first().waitFor({ timeout: 30_000 });
    return app.page.getByTestId(testId).locator("svg").count();
  };

  it("overview: KPI cards, both charts and the written insights", async () => {
    await app.page.goto(`${app.url}/overview`);
    await app.page.getByTestId("kpis").waitFor();
    expect(await app.page.getByTestId("kpi-customers").innerText()).toBe("320"); // 40,000 lines → 320 demo customers
    expect(await svgIn("chart-monthly-trend")).toBeGreaterThan(0);
    expect(await svgIn("chart-new-returning")).toBeGreaterThan(0);
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
    expect(await svgIn("cohort-heatmap")).toBeGreaterThan(0);
    expect(await svgIn("chart-second-purchase")).toBeGreaterThan(0);
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
    for (const id of ["chart-countries", "chart-pareto", "chart-season-months", "chart-weekday-hour"])
      expect(await svgIn(id)).toBeGreaterThan(0);
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
