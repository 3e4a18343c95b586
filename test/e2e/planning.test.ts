import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "../support/browser";
import { startServer } from "../support/server";

// Customer value, the plan and the recommendations in a real browser on demo data.
describe("planning pages", () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-e2e-planning-"));
    server = await startServer({ DATABASE_PATH: join(dir, "planning.db"), DEMO_LINES: "80000" });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("value page: fitted models, value by segment, the holdout chart, and a movable calibration end", async () => {
    await page.goto(`${server.url}/value`);
    const params = await page.getByTestId("clv-parameters").innerText();
    expect(params).toMatch(/BG\/NBD: r \d+\.\d{4}, α \d+\.\d{4}, a \d+\.\d{4}, b \d+\.\d{4}/);
    expect(await page.getByTestId("value-groups").locator("tbody tr").count()).toBeGreaterThan(3);
    await page.getByTestId("chart-holdout").locator("svg").first().waitFor();
    await page.getByLabel("Calibration end").fill("2011-06-30");
    await page.waitForURL(/calibrationEnd=2011-06-30/);
    await page.waitForFunction((before) => document.querySelector("[data-testid=clv-parameters]")?.textContent !== before, params);
    const csv = await (await fetch(`${server.url}/api/clv?format=csv&calibrationEnd=2011-06-30`)).text();
    expect(csv.split("\r\n")[0]).toMatch(/^customer_id,segment,persona,x,t_x,T,/);
  });

  it("plan page: candidates with ROI, an allocation that follows the budget, and its CSV", async () => {
    await page.goto(`${server.url}/plan`);
    const allocation = page.getByTestId("plan-allocation");
    await allocation.waitFor();
    expect(await page.getByTestId("plan-candidates").locator("tbody tr").count()).toBeGreaterThan(3);
    await page.getByLabel("Budget").fill("10");
    await page.waitForFunction(() => /spend 10\.00 of 10\.00|spend [0-9.]+ of 10\.00/.test(document.querySelector("[data-testid=plan-allocation]")?.textContent ?? ""));
    expect(await allocation.innerText()).toMatch(/spend \d+\.\d\d of 10\.00/);
    await page.getByTestId("chart-plan").locator("svg").first().waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    const file = await (await download).path();
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(file!, "utf8").split("\r\n")[0]).toBe("campaign,contacts,spend,expected_profit,incremental_revenue,profit_per_contact,return_per_spend");
  });

  it("recommendations are written from the data with links to their evidence", async () => {
    await page.goto(`${server.url}/recommendations`);
    expect(await page.getByTestId("recommendation-high-value").innerText()).toMatch(/Champions and Loyal Customers are \d+\.\d% of customers but bring \d+\.\d% of revenue/);
    expect(await page.getByTestId("recommendation-reactivate").innerText()).toMatch(/\d+ customers \(At Risk \d+, Can't Lose Them \d+\)/);
    await page.getByTestId("recommendation-lifecycle").getByRole("link").first().click();
    await page.waitForURL(/\/cohorts$/);
  });
});
