import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";
import { cli } from "../support/cli";
import { fixture } from "../support/db";

// Issue 14 in a real browser, on the hand-made shop (test/fixtures/figures-shop.csv; figures worked by hand in
// test/integration/figures.test.ts): the currency on the pages and the partial-month marks. Few checks, one small file.
describe("figures a marketer can trust", () => {
  const app = useApp(
    { DEMO_DATA: "off" },
    {
      prepare: (db) =>
        expect(cli(["import", fixture("figures-shop.csv"), "--db", db, "--workspace", "Figures shop"]).code).toBe(0),
    },
  );
  const text = (id: string) => app.page.getByTestId(id).innerText();

  it("overview: gross and net revenue in GBP, the partial first and last months marked", async () => {
    await app.page.goto(`${app.url}/overview`);
    expect(await text("active-currency")).toBe("GBP");
    expect(await text("kpi-revenue")).toBe("£380.00");
    expect(await text("kpi-netRevenue")).toBe("£180.00"); // 380 − returns 200
    const marks = await app.page.getByTestId("partial-month").allInnerTexts();
    expect(marks).toEqual(["partial (9 of 31 days)", "partial (9 of 31 days)"]); // March and May 2011
    expect(await text("partial-note")).toContain("2011-03 partial (9 of 31 days); 2011-05 partial (9 of 31 days)");
    // the trend line draws a hatched band behind each partial month
    // (nivo draws the layer once the chart has measured its box: wait for it rather than count at once)
    await app.page.getByTestId("partial-bands").locator("rect").nth(1).waitFor({ state: "attached" });
    expect(await app.page.getByTestId("partial-bands").locator("rect").count()).toBe(2);
    // the trend's points at the hand-worked monthly revenue (£150, £210, £20: test/integration/figures.test.ts), and the
    // bar chart's month ticks starred where partial
    const trend = await drawn(app.page, "chart-monthly-trend");
    expect(trend.points).toBe(3);
    expectLinear(
      [150, 210, 20],
      trend.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    expect((await drawn(app.page, "chart-new-returning")).texts).toEqual(
      expect.arrayContaining(["2011-03*", "2011-04", "2011-05*"]),
    );
  });

  it("cohorts mark the incomplete last column; the customer page shows gross, returns and net", async () => {
    await app.page.goto(`${app.url}/cohorts`);
    expect(await text("cohort-partial-note")).toMatch(
      /Not yet complete: each cohort's last column is 2011-05, partial \(9 of 31 days\)/,
    );
    // hand-worked (test/integration/figures.test.ts): cohorts March (2 customers, acquired in a partial month) and
    // April (2); May acquires no one and has no row; each cohort's last column (May) is starred
    const heat = await drawn(app.page, "cohort-heatmap");
    expect([...new Set(heat.cells.map((c) => c.id.replace(/\.\d+$/, "")))]).toEqual([
      "2011-03 (2) partial",
      "2011-04 (2)",
    ]);
    expect(heat.cells.find((c) => c.id === "2011-03 (2) partial.0")!.label).toBe("100%");
    expect(heat.cells.find((c) => c.id === "2011-03 (2) partial.2")!.label).toMatch(/%\*$/);
    expect(heat.cells.find((c) => c.id === "2011-04 (2).1")!.label).toMatch(/%\*$/);
    await app.page.goto(`${app.url}/customers/30001`);
    expect([await text("customer-gross"), await text("customer-returns"), await text("customer-net")]).toEqual([
      "£50.00",
      "£80.00",
      "£0.00",
    ]);
  });

  it("a currency changed on the Data page reaches every page", async () => {
    await app.page.goto(`${app.url}/data`);
    const form = app.page.locator("form[data-testid^=currency-form-]");
    await form.getByLabel("Currency").fill("eur");
    await form.getByRole("button", { name: "Set" }).click();
    await app.page.getByText("amounts are now in EUR").waitFor();
    await app.page.waitForFunction(
      () => document.querySelector("[data-testid=active-currency]")?.textContent === "EUR",
      undefined,
      { timeout: 5000 },
    );
    await app.page.goto(`${app.url}/overview`);
    expect(await text("kpi-revenue")).toBe("€380.00");
    expect(await app.page.getByTestId("insights").innerText()).toContain("€110.00");
    await app.page.goto(`${app.url}/segments`);
    expect(await app.page.locator("body").innerText()).toContain("€200.00 net spend");
    const csv = await (await fetch(`${app.url}/api/report/countries?format=csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("country,revenue (EUR),share,customers,orders,average_order_value (EUR)");
  });
});
