import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoCsv } from "../../seed/generate";
import { useApp } from "../support/app";
import { saveDraft, startOpenDraft } from "../support/experiment-ui";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { loadShop } from "../support/warehouse-shop";

// Issue 17 in a real browser: connect a PostgreSQL table on the Data page (mapping a column by hand), see its overview
// and segments computed in the warehouse, then design and start an experiment on it.

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)("a warehouse data set in the browser", () => {
  const app = useApp({ DEMO_DATA: "off" });
  let pg: TestCluster;
  let dir: string;
  beforeAll(async () => {
    pg = startCluster();
    dir = mkdtempSync(path.join(tmpdir(), "campaign-lab-wh-e2e-"));
    const file = path.join(dir, "shop.csv");
    // 60,000 generated lines: 480 customers, 86 of them Champions
    await writeDemoCsv(file, { lines: 60_000, seed: 42 });
    loadShop(pg, "shop.lines", file, "WIN1252");
  }, 120_000);
  afterAll(() => {
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const SLOW = 180_000;
  const text = (id: string) => app.page.getByTestId(id).innerText();

  it("connects a table on the Data page: preview, a column mapped by hand, the cleaning report, the URL masked", async () => {
    const page = app.page;
    await page.goto(`${app.url}/data`);
    await page.getByTestId("warehouse-url").fill(`${pg.url}&password=hunter2`);
    await page.getByTestId("warehouse-table").fill("shop.lines");
    await page.getByTestId("warehouse-preview").click();
    await page.getByTestId("warehouse-mapping").waitFor();
    // "invoiced_at" is no name the guesses know: the date is mapped by hand, as a user would
    expect(await text("warehouse-mapping")).toMatch(/Customer, date, and either an amount/);
    await page.getByRole("textbox", { name: "Warehouse column for date" }).click();
    await page.getByRole("option", { name: "invoiced_at", exact: true }).click();
    await page.getByRole("textbox", { name: "Warehouse column for description" }).click();
    await page.getByRole("option", { name: "item", exact: true }).click();
    await page.getByLabel("Currency of the amounts").last().fill("GBP");
    await page.getByTestId("warehouse-preview").click();
    await page.getByTestId("warehouse-rows").waitFor();
    await page.getByTestId("warehouse-connect").click();
    await page.getByTestId("warehouse-added").waitFor({ timeout: 60_000 });
    const added = await text("warehouse-added");
    expect(added).toMatch(/now the active data set/);
    expect(added).toMatch(/password=\*\*\*/);
    // the data set's list names the table and where it is read from, masked
    await page.getByTestId("warehouse-source").first().waitFor();
    expect(await text("warehouse-source")).toMatch(
      /warehouse table at postgresql:\/\/\/postgres\?host=.*password=\*\*\*/,
    );
    expect(await page.content()).not.toContain("hunter2");
  });

  it("shows its overview and segments, computed in the warehouse", { timeout: 2 * SLOW }, async () => {
    const page = app.page;
    // every figure is a query in PostgreSQL: on a loaded machine the first answer takes seconds
    await page.goto(`${app.url}/overview`, { timeout: SLOW });
    await page.getByText("computed in the warehouse (PostgreSQL)").first().waitFor({ timeout: SLOW });
    const overview = await page.locator("main").innerText();
    expect(overview, overview.slice(0, 1500)).toMatch(/Revenue \(gross sales\)[\s\S]{0,80}£[\d,]+\.\d\d/i);
    expect(overview).toMatch(/Key insights/i);
    await page.goto(`${app.url}/segments`, { timeout: SLOW });
    await page.getByText("Champions").first().waitFor();
    expect(await page.locator("main").innerText()).toMatch(/480/);
    await page.goto(`${app.url}/segments/personas`, { timeout: SLOW });
    expect(await page.locator("main").innerText()).toMatch(
      /k-means ran on a seeded sample of 480 of 480 customers \(at most 100,000\), then every customer was assigned to the nearest centroid/,
    );
  });

  it("designs an experiment on a segment and starts it", { timeout: 2 * SLOW }, async () => {
    const page = app.page;
    page.setDefaultTimeout(SLOW);
    page.setDefaultNavigationTimeout(SLOW);
    await saveDraft(page, app.url, "Champions early access (warehouse)", "Champions");
    expect(await text("backtest-window")).toMatch(/Members as of 2011-11-09 .* outcome over 2011-11-10 to 2011-12-09/);
    await startOpenDraft(page);
    const main = await page.locator("main").innerText();
    expect(main, main.slice(0, 2000)).toMatch(/running/i);
    expect(await text("experiment-status")).toMatch(/running/i);
    expect(await page.locator("main").innerText()).toMatch(/86 customers|86 assigned|assigned.*86/i);
  });
  it("shows customer value fitted from the warehouse's summaries", { timeout: 2 * SLOW }, async () => {
    const page = app.page;
    await page.goto(`${app.url}/value`, { timeout: SLOW });
    // the page polls while the summaries are fetched and the models fitted
    await page.getByTestId("value-groups").waitFor({ timeout: SLOW });
    expect(await text("clv-parameters")).toMatch(/BG\/NBD/);
    expect(await text("value-groups")).toMatch(/Champions/);
  });

  it(
    "reads the table again from the Data page, saying what is under way, then shows the new customer",
    { timeout: 2 * SLOW },
    async () => {
      const page = app.page;
      pg.psql(
        `INSERT INTO shop.lines VALUES ('599999', '22423', 'REGENCY CAKESTAND', 2, '2011-12-01 10:00', 12.75, '19999', 'Iceland')`,
      );
      await page.goto(`${app.url}/data`);
      await page.getByRole("button", { name: "Read again" }).first().click();
      // the cleaning report, the customers and the segments take seconds on 60,000 lines: the page says so meanwhile
      await page.getByTestId("reread-progress").waitFor();
      // a job in stages, as an import: one of the re-read's stages (app/ingest/warehouse-stages.ts) is named
      expect(await text("reread-progress")).toMatch(
        /Reading shop\.lines again: (Connecting and checking the table|Computing the cleaning report in the warehouse|Reading the customers from the warehouse|Computing RFM segments and personas|Storing the report, customers, segments and personas at once)…/,
      );
      await page.locator("[data-testid=reread-done], [data-testid=reread-error]").waitFor({ timeout: SLOW });
      expect(await text("reread-done")).toBe("Read shop.lines again: 60,001 lines, 481 customers");
      await page.goto(`${app.url}/customers/19999`, { timeout: SLOW });
      await page.getByTestId("customer").waitFor();
      expect(await page.locator("main").innerText()).toMatch(/Iceland/);
      // the customer's one order, read from PostgreSQL for this customer
      expect(await text("customer-orders")).toMatch(/599999\s+2011-12-01 10:00\s+order\s+1\s+£25\.50\s+Iceland/);
    },
  );

  it("never prints the password in the server's log, also when a connection fails", async () => {
    await app.page.goto(`${app.url}/data`);
    const post = (url: string, orders: string) =>
      app.page.evaluate(
        async ([url, orders]) => {
          const res = await fetch("/api/warehouse", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ url, orders }),
          });
          return `${res.status} ${await res.text()}`;
        },
        [url, orders],
      );
    // a missing table, and a socket nobody listens on: each refused in words that name neither the password
    const missingTable = await post(`${pg.url}&password=hunter2`, "shop.nothing_here");
    const noServer = await post(`postgresql:///postgres?host=${dir}&user=postgres&password=hunter2`, "shop.lines");
    expect(missingTable).toMatch(/^4\d\d /);
    expect(noServer).toMatch(/^[45]\d\d /);
    for (const answer of [missingTable, noServer]) expect(answer).not.toContain("hunter2");
    // the whole file's log: the connect with the password (first test), the re-read, and the two refusals above
    expect(app.log()).not.toContain("hunter2");
  });
});
