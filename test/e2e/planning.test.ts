import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";

// Customer value, the plan and the recommendations in a real browser on demo data.
describe("planning pages", () => {
  const app = useApp({ DEMO_LINES: "80000" });

  it("value page: fitted models, value by segment, the holdout chart, and a movable calibration end", async () => {
    await app.page.goto(`${app.url}/value`);
    // the fits run in their worker thread: the page says "Fitting…" and shows them when ready (issue 12)
    const params = await app.page.getByTestId("clv-parameters").innerText({ timeout: 60_000 });
    expect(params).toMatch(/BG\/NBD: r [\d.e+-]+, α [\d.e+-]+, a [\d.e+-]+, b [\d.e+-]+/);
    expect(await app.page.getByTestId("value-groups").locator("tbody tr").count()).toBeGreaterThan(3);
    // the holdout chart: predicted and actual mean purchases per calibration-purchase group, as GET /api/clv gives them
    let clv = await fetch(`${app.url}/api/clv`);
    for (let i = 0; clv.status === 202 && i < 60; i++)
      clv = (await new Promise((r) => setTimeout(r, 500)), await fetch(`${app.url}/api/clv`));
    type Holdout = { x: string; predicted: number; actual: number };
    const holdout: Holdout[] = (await clv.json()).holdout;
    expect(holdout.length).toBeGreaterThan(1);
    const round = (v: number) => Math.round(v * 1000) / 1000; // the chart draws the means to 3 decimals
    const bars = await drawn(app.page, "chart-holdout");
    expect(bars.bars.map((b) => b.label)).toEqual([
      ...holdout.map((h) => `Predicted, ${h.x}: ${round(h.predicted)}`),
      ...holdout.map((h) => `Actual, ${h.x}: ${round(h.actual)}`),
    ]);
    expectLinear(
      [...holdout.map((h) => round(h.predicted)), ...holdout.map((h) => round(h.actual))],
      bars.bars.map((b) => b.height),
      { throughZero: true },
    );
    await app.page.getByLabel("Calibration end").fill("2011-06-30");
    await app.page.waitForURL(/calibrationEnd=2011-06-30/);
    await app.page.waitForFunction(
      (before) => {
        const t = document.querySelector("[data-testid=clv-parameters]")?.textContent;
        return !!t && t !== before;
      },
      params,
      { timeout: 60_000 },
    );
    let res = await fetch(`${app.url}/api/clv?format=csv&calibrationEnd=2011-06-30`);
    for (let i = 0; res.status === 202 && i < 60; i++)
      res =
        (await new Promise((r) => setTimeout(r, 500)),
        await fetch(`${app.url}/api/clv?format=csv&calibrationEnd=2011-06-30`));
    const csv = await res.text();
    expect(csv.split("\r\n")[0]).toMatch(/^customer_id,segment_at_calibration_end,persona,x,t_x,T,/);
  });

  it("plan page: with no learned lift every campaign is 'test first' (never funded); a typed candidate is allocated; CSV", async () => {
    await app.page.goto(`${app.url}/plan`);
    const allocation = app.page.getByTestId("plan-allocation");
    await allocation.waitFor();
    const testFirst = app.page.getByTestId("plan-test-first");
    expect(await testFirst.locator("tbody tr").count()).toBeGreaterThan(3);
    expect(await testFirst.innerText()).toMatch(/Test first: no learned lift, never funded/);
    expect(await app.page.getByTestId("plan-candidates").locator("tbody tr").count()).toBe(0);
    // nothing funded: a sentence saying so, not an empty table and a chart of no bars
    expect(await app.page.getByTestId("chart-plan").count()).toBe(0);
    expect(await allocation.innerText()).toMatch(/Nothing is funded yet: no candidate has a lift that pays/);
    const learnedCsv = (await (await fetch(`${app.url}/api/plan/learned.csv`)).text()).split("\r\n");
    expect(learnedCsv[0]).toBe(
      "campaign,status,audience,value_per_customer (GBP),raw_lift,learned_lift,lift_low,lift_high,borrowed,experiments,profit_low (GBP),profit_high (GBP),test_lift,test_per_arm",
    );
    expect(learnedCsv.filter((l) => l.includes(",test first,")).length).toBe(
      await testFirst.locator("tbody tr").count(),
    );
    await app.page.getByRole("button", { name: "Add a candidate" }).click();
    await app.page.getByLabel("Lift for Custom 1").fill("20");
    await app.page.getByLabel("Budget").fill("10");
    await app.page.waitForFunction(() =>
      /spend £[0-9.]+ of £10\.00/.test(document.querySelector("[data-testid=plan-allocation]")?.textContent ?? ""),
    );
    expect(await allocation.innerText()).toMatch(/spend £\d+\.\d\d of £10\.00/); // the demo data set is in GBP (issue 14)
    // the plan chart's bars are the allocation table's rows: spend and expected profit per campaign, first row on top
    const planRows = await allocation
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(planRows.length).toBeGreaterThan(0);
    const plan = await drawn(app.page, "chart-plan");
    expect(plan.bars.map((b) => b.label)).toEqual([
      ...[...planRows].reverse().map(([campaign, , spend]) => `spend, ${campaign}: ${spend}`),
      ...[...planRows].reverse().map(([campaign, , , profit]) => `profit, ${campaign}: ${profit}`),
    ]);
    expect(plan.texts).toEqual(expect.arrayContaining(planRows.map((r) => r[0])));
    const download = app.page.waitForEvent("download");
    await app.page.getByRole("button", { name: "Download CSV" }).click();
    const file = await (await download).path();
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(file!, "utf8").split("\r\n")[0]).toBe(
      "campaign,contacts,spend (GBP),expected_profit (GBP),incremental_revenue (GBP),profit_per_contact (GBP),return_per_spend",
    );
  });

  it("ROI page: no assumed lift — 'test first' with the test's size; a lift typed by the user gives profit, ROI, break-even and payback", async () => {
    await app.page.goto(`${app.url}/roi?segment=Champions&campaign=recommendation%20banner`);
    expect(await app.page.getByTestId("roi-inputs").innerText()).toMatch(
      /^\d+ customers; £[\d,]+\.\d\d revenue per customer over 30 days .* no lift learned for recommendation banner on Champions yet: test first — (any lift above|break-even at) \d+\.\d+%.* a test sized to detect \d+\.\d% lift in revenue per customer .*needs [\d,]+ customers per arm/,
    );
    expect(await app.page.getByTestId("roi-results").count()).toBe(0);
    await app.page.getByLabel("What if the lift were (%)").fill("20");
    await app.page.getByTestId("roi-results").waitFor();
    expect(await app.page.getByTestId("roi-results").innerText()).toMatch(/BREAK-EVEN LIFT\s+\d+\.\d+%/i);
  });

  it("recommendations are written from the data with links to their evidence", async () => {
    await app.page.goto(`${app.url}/recommendations`);
    expect(await app.page.getByTestId("recommendation-high-value").innerText()).toMatch(
      /Champions and Loyal Customers are \d+\.\d% of customers but bring \d+\.\d% of net revenue/,
    );
    expect(await app.page.getByTestId("recommendation-reactivate").innerText()).toMatch(
      /\d+ customers \(At Risk \d+, Can't Lose Them \d+\)/,
    );
    await app.page.getByTestId("recommendation-lifecycle").getByRole("link").first().click();
    await app.page.waitForURL(/\/cohorts$/);
  });
});
