import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "../support/browser";
import { startServer } from "../support/server";

// Segments, a segment's members, the CSV export, personas and audiences in a real browser on demo data.
describe("segments pages", () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-e2e-segments-"));
    server = await startServer({ DATABASE_PATH: join(dir, "segments.db"), DEMO_LINES: "60000" });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the 11 segments with shares, actions and both charts", async () => {
    await page.goto(`${server.url}/segments`);
    const table = page.getByTestId("segments-table");
    expect(await table.locator("tbody tr").count()).toBe(11);
    expect(await table.innerText()).toContain("Win back with a personal offer");
    for (const id of ["chart-segment-shares", "chart-rfm-grid"]) await page.getByTestId(id).locator("svg").first().waitFor();
    const api = await (await fetch(`${server.url}/api/segments`)).json();
    expect(api.customers).toBe(480);
    expect(api.segments.reduce((s: number, x: { customers: number }) => s + x.customers, 0)).toBe(480);
  });

  it("opens a segment: members searched, sorted and paged on the server, and its CSV", async () => {
    await page.goto(`${server.url}/segments`);
    await page.getByTestId("segments-table").getByRole("link", { name: "Champions" }).click();
    await page.waitForURL(/\/segments\/champions$/);
    const rows = page.getByTestId("members-table").locator("tbody tr");
    await rows.first().waitFor();
    expect(await page.getByTestId("members-table").innerText()).toContain("Champions");
    for (const id of ["dist-recency", "dist-frequency", "dist-monetary"]) await page.getByTestId(id).locator("svg").first().waitFor();
    await page.getByRole("link", { name: /^Orders/ }).click();
    await page.waitForURL(/sort=frequency/);
    const first = await rows.first().locator("td").first().innerText();
    await page.getByLabel("Search members").fill(first);
    await page.getByLabel("Search members").press("Enter");
    await page.waitForURL(new RegExp(`q=${first}`));
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await rows.first().locator("td").first().innerText()).toBe(first);
    const csv = await (await fetch(`${server.url}/api/segments/members.csv?segment=champions`)).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("CustomerID,Recency,Frequency,Monetary,R,F,M,RFM,Segment,Persona");
    expect(lines.slice(1).every((l) => l.includes(",Champions,"))).toBe(true);
  });

  it("opens a customer from the members table", async () => {
    await page.goto(`${server.url}/segments/champions`);
    const link = page.getByTestId("members-table").locator("tbody tr").first().getByRole("link");
    const id = await link.innerText();
    await link.click();
    await page.waitForURL(new RegExp(`/customers/${id}$`));
    expect(await page.getByTestId("customer").innerText()).toContain(`Customer ${id}`);
    expect(await page.getByTestId("customer-orders").locator("tbody tr").count()).toBeGreaterThan(0);
  });

  it("saves a segment as an audience and shows its live size", async () => {
    await page.goto(`${server.url}/segments/at-risk`);
    const size = (await page.locator("text=/^\\d+ customers/").first().innerText()).split(" ")[0];
    await page.getByRole("button", { name: "Use as audience" }).click();
    await page.waitForURL(/\/audiences\?saved=\d+/);
    await page.getByTestId("audience-saved").waitFor();
    const table = page.getByTestId("audiences-table");
    expect(await table.innerText()).toMatch(new RegExp(`At Risk\\s+segment\\s+Segment: At Risk\\s+${size}`, "i"));
  });

  it("personas: sweep charts, a stored choice of k, and a filter audience with errors beside the fields", async () => {
    await page.goto(`${server.url}/segments/personas`);
    for (const id of ["chart-silhouette", "chart-elbow", "chart-persona-scatter"]) await page.getByTestId(id).locator("svg").first().waitFor();
    await page.getByRole("textbox", { name: "Number of personas (k)" }).click();
    await page.getByRole("option", { name: /^k = 5/ }).click();
    await page.getByRole("button", { name: "Use this k" }).click();
    await page.getByText("Now: k = 5").waitFor();
    expect(await page.getByTestId("persona-cards").locator(".mantine-Card-root").count()).toBe(5);

    await page.goto(`${server.url}/audiences`);
    await page.getByLabel("Name").fill("Lapsed big spenders");
    await page.getByLabel("Spent ≥").fill("500");
    await page.getByLabel("Days since last order ≥").fill("90");
    await page.getByLabel("Days since last order ≥").press("Tab");
    await page.waitForFunction(() => /customers ·/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? "") && /spent ≥ 500/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? ""));
    const preview = await page.getByTestId("audience-preview").innerText();
    await page.getByRole("button", { name: "Save audience" }).click();
    await page.getByTestId("audience-saved").waitFor();
    expect(await page.getByTestId("audiences-table").innerText()).toContain(preview.split(" customers")[0]);

    // a minimum above the maximum is refused with the message beside the field
    await page.getByLabel("Name").fill("Impossible");
    await page.getByLabel("Orders ≥").fill("5");
    await page.getByLabel("≤").nth(1).fill("2");
    await page.getByRole("button", { name: "Save audience" }).click();
    await page.getByText("min is above max").first().waitFor();
    expect(await page.getByTestId("audiences-table").innerText()).not.toContain("Impossible");
  });
});
