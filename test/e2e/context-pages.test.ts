import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "../support/browser";
import { cli } from "../support/cli";
import { fixture } from "../support/db";
import { startServer } from "../support/server";

// The context pages in a real browser on demo data (plus a small file whose descriptions look like HTML and formulas).
describe("context pages", () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-e2e-context-"));
    const db = join(dir, "context.db");
    expect(cli(["import", fixture("html-descriptions.csv"), "--db", db, "--workspace", "Tricky descriptions"]).code).toBe(0);
    expect(cli(["seed", "--lines", "40000", "--db", db]).code).toBe(0); // the latest import is the active data set
    server = await startServer({ DATABASE_PATH: db });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const svgIn = async (testId: string) => {
    await page.getByTestId(testId).locator("svg").first().waitFor({ timeout: 30_000 });
    return page.getByTestId(testId).locator("svg").count();
  };

  it("overview: KPI cards, both charts and the written insights", async () => {
    await page.goto(server.url);
    await page.getByTestId("kpis").waitFor();
    expect(await page.getByTestId("kpi-customers").innerText()).toBe("320"); // 40,000 lines → 320 demo customers
    expect(await svgIn("chart-monthly-trend")).toBeGreaterThan(0);
    expect(await svgIn("chart-new-returning")).toBeGreaterThan(0);
    const insights = await page.getByTestId("insights").innerText();
    expect(insights).toMatch(/The top 20% of customers \(64 of 320\) bring \d+\.\d% of customer revenue\./);
    expect(insights).toMatch(/November 2011 is the peak month/);
    expect(insights).toMatch(/The largest market outside United Kingdom is/);
  });

  it("a filter changes the numbers and the URL, and the URL reproduces the view", async () => {
    await page.goto(server.url);
    const before = await page.getByTestId("kpi-revenue").innerText();
    await page.getByLabel("From").fill("2011-06-01");
    await page.waitForURL(/from=2011-06-01/);
    await page.waitForFunction((b) => document.querySelector("[data-testid=kpi-revenue]")?.textContent !== b, before);
    const filtered = await page.getByTestId("kpi-revenue").innerText();
    expect(filtered).not.toBe(before);
    // the changes against the previous period of the same length now show
    expect(await page.getByTestId("kpis").innerText()).toMatch(/vs previous period/);

    await page.getByRole("textbox", { name: "Country" }).click();
    await page.getByRole("option", { name: "Germany", exact: true }).click();
    await page.waitForURL(/country=Germany/);
    await page.waitForFunction((b) => document.querySelector("[data-testid=kpi-revenue]")?.textContent !== b, filtered);
    const germany = await page.getByTestId("kpi-revenue").innerText();
    const url = page.url();
    await page.goto(url);
    expect(await page.getByTestId("kpi-revenue").innerText()).toBe(germany);
    // the API gives the same figure for the same filter
    const api = await (await fetch(`${server.url}/api/report/overview?${new URL(url).searchParams}`)).json();
    expect(api.kpis.current.revenue.toLocaleString("en-GB", { minimumFractionDigits: 2 })).toBe(germany);
  });

  it("cohorts: heatmap with its three views, and the time-to-second-purchase curve", async () => {
    await page.goto(`${server.url}/cohorts`);
    expect(await svgIn("cohort-heatmap")).toBeGreaterThan(0);
    expect(await svgIn("chart-second-purchase")).toBeGreaterThan(0);
    expect(await page.getByTestId("second-purchase-callouts").innerText()).toMatch(/DAY 7\s+\d+\.\d%/i);
    expect(await page.getByTestId("cohort-heatmap").innerText()).toContain("100%");
    await page.getByText("Cumulative revenue per customer").click();
    await page.waitForURL(/view=cumulative/);
    // cells become money per customer (e.g. 1,049.02) instead of shares
    await page.waitForFunction(() => /\d\.\d\d\b/.test(document.querySelector("[data-testid=cohort-heatmap]")?.textContent ?? ""));
    expect(await page.getByTestId("cohort-heatmap").innerText()).not.toContain("%");
  });

  it("revenue: countries, Pareto, seasonality charts and tables with CSV downloads", async () => {
    await page.goto(`${server.url}/revenue`);
    for (const id of ["chart-countries", "chart-pareto", "chart-season-months", "chart-weekday-hour"]) expect(await svgIn(id)).toBeGreaterThan(0);
    expect(await page.getByTestId("pareto-summary").innerText()).toMatch(/\d+ of \d+ products .* make 80% of merchandise revenue/);
    const rows = await page.getByTestId("products-table").locator("tbody tr").count();
    expect(rows).toBe(50);
    const csvLink = await page.getByRole("link", { name: "Download CSV" }).first().getAttribute("href");
    const csv = await (await fetch(server.url + csvLink)).text();
    expect(csv.split("\r\n")[0]).toBe("country,revenue,share,customers,orders,average_order_value");
    expect((await fetch(`${server.url}/api/report/monthly?from=2011-13-01`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/report/weather`)).status).toBe(404);
  });

  it("renders product descriptions as text and neutralises formulas in CSV", async () => {
    await page.goto(`${server.url}/data`);
    const row = page.getByTestId("datasets").locator("tr", { hasText: "Tricky descriptions" });
    await row.getByRole("button", { name: "Make active" }).click();
    await page.getByText("is now the active data set").waitFor();
    await page.goto(`${server.url}/revenue`);
    const table = page.getByTestId("products-table");
    await table.getByText('<b>BOLD</b> <img src=x onerror="window.__xss=1"> TIN').waitFor();
    expect(await table.locator("b, img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const csv = await (await fetch(`${server.url}/api/report/products?format=csv&table=products`)).text();
    expect(csv).toContain(`2,X2,'=CMD|'/c calc'!A0,3,1,1,0.25,1\r\n`);
  });
});
