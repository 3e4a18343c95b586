import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "~/db/db.server";
import { launchBrowser } from "../support/browser";
import { fixture, snapshot } from "../support/db";
import { startServer } from "../support/server";

// The Data page in a real browser (Debian Chromium) against the built app on a temporary database.
describe("Data page", () => {
  let dir: string;
  let dbPath: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-e2e-"));
    dbPath = join(dir, "e2e.db");
    server = await startServer({ DATABASE_PATH: dbPath, DEMO_DATA: "off" });
    browser = await launchBrowser();
    context = browser.context;
    // remember every progress bar that appears, however briefly
    await context.addInitScript(() => {
      const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
      new MutationObserver(() => {
        for (const id of ["upload-progress", "import-progress"]) if (document.querySelector(`[data-testid=${id}]`) && !seen.includes(id)) seen.push(id);
      }).observe(document, { childList: true, subtree: true });
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const dbState = () => {
    const db = openDb(dbPath);
    try {
      return snapshot(db);
    } finally {
      db.$client.close();
    }
  };
  const upload = async (file: string) => {
    await page.locator("input[type=file]").setInputFiles(file);
  };

  it("shows a call to import data on an empty database", async () => {
    await page.goto(server.url);
    await expect(page.getByText("Welcome to Campaign Lab").isVisible()).resolves.toBe(true);
    await page.getByRole("link", { name: "Import data" }).click();
    await page.waitForURL(/\/data$/);
    await page.getByText("No data set yet").waitFor();
  });

  it("uploads a CSV, shows progress and the import report, and lists the data set", async () => {
    await page.goto(`${server.url}/data`);
    await upload(fixture("online-retail-rules.csv"));
    const done = page.getByTestId("import-done");
    await done.waitFor({ timeout: 60_000 });
    const text = await done.innerText();
    expect(text).toContain('Imported online-retail-rules.csv as "online-retail-rules"');
    expect(text).toMatch(/LINES READ\s+25/i);
    expect(text).toMatch(/DUPLICATES DROPPED\s+3/i);
    expect(text).toMatch(/CUSTOMERS\s+4/i);
    expect(text).toMatch(/encoding windows-1252/i);
    expect(text).toMatch(/dates M\/D\/YYYY H:MM/i);
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    expect(seen).toEqual(expect.arrayContaining(["upload-progress", "import-progress"]));
    await page.getByTestId("datasets").getByText("online-retail-rules").first().waitFor();
    // the report with its rejected line stays available in the list
    await page.getByRole("button", { name: "Report" }).click();
    await page.getByText("unreadable date \"2/30/2011 10:00\"").first().waitFor();
  });

  it("shows a clear error for a broken file and leaves the database unchanged", async () => {
    const before = dbState();
    await page.goto(`${server.url}/data`);
    await upload(fixture("bad-date.csv"));
    const error = page.getByTestId("import-error");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toMatch(/line 11: unreadable date "2\/30\/2011 8:28"/);
    expect(dbState()).toEqual(before);

    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    await page.getByRole("button", { name: "Dismiss" }).click();
    await upload(empty);
    await page.getByText("The file is empty (0 bytes)").waitFor();
    expect(dbState()).toEqual(before);
  });

  it("offers to replace a file imported before", async () => {
    await page.goto(`${server.url}/data`);
    await upload(fixture("online-retail-rules.csv"));
    const error = page.getByTestId("import-error");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toContain('already imported as "online-retail-rules"');
    await page.getByRole("button", { name: "Replace the existing data set" }).click();
    await page.getByTestId("import-done").waitFor({ timeout: 60_000 });
    const rows = await page.getByTestId("datasets").locator("tbody tr:visible").count();
    expect(rows).toBe(1);
  });

  it("maps the columns of an unknown layout with a preview of the lines as they will be read", async () => {
    await page.goto(`${server.url}/data`);
    await upload(fixture("mapped-no-invoice.csv"));
    const form = page.getByTestId("mapping-form");
    await form.waitFor();
    const preview = page.getByTestId("mapping-preview");
    await preview.waitFor();
    await page.waitForFunction(() => document.querySelector("[data-testid=mapping-preview] tbody")?.textContent?.includes("1997-01-01"));
    const previewText = await preview.innerText();
    expect(previewText).toContain("00004"); // leading zeros kept
    expect(previewText).toContain("29.33");
    await page.getByRole("button", { name: "Import with this mapping" }).click();
    const done = page.getByTestId("import-done");
    await done.waitFor({ timeout: 60_000 });
    expect(await done.innerText()).toMatch(/CUSTOMERS\s+4/i);
  });

  it("switches the active data set and deletes one after confirmation", async () => {
    await page.goto(`${server.url}/data`);
    const table = page.getByTestId("datasets");
    await table.getByRole("button", { name: "Make active" }).first().click();
    await page.getByText("is now the active data set").waitFor();
    const before = await table.locator("tbody tr:visible").count();
    await table.getByRole("button", { name: "Delete" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Delete this data set?").waitFor();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByText(/^Deleted "/).waitFor();
    await expect.poll(() => table.locator("tbody tr:visible").count(), { timeout: 10_000 }).toBe(before - 1);
  });
});
