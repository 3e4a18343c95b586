import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "~/db/db.server";
import type { Request } from "playwright-core";
import { useApp } from "../support/app";
import { fixture, snapshot } from "../support/db";

// The Data page in a real browser (Debian Chromium) against the built app on a temporary database.
describe("Data page", () => {
  const app = useApp(
    { DEMO_DATA: "off" },
    {
      // remember every progress bar that appears, however briefly
      init: (context) =>
        context.addInitScript(() => {
          const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
          new MutationObserver(() => {
            for (const id of ["upload-progress", "import-progress"])
              if (document.querySelector(`[data-testid=${id}]`) && !seen.includes(id)) seen.push(id);
          }).observe(document, { childList: true, subtree: true });
        }),
    },
  );

  const dbState = () => {
    const db = openDb(app.dbPath);
    try {
      return snapshot(db);
    } finally {
      db.$client.close();
    }
  };
  const upload = async (file: string) => {
    await app.page.locator("input[type=file]").setInputFiles(file);
  };

  it("shows a call to import data on an empty database", async () => {
    await app.page.goto(app.url);
    await expect(app.page.getByText("Welcome to Campaign Lab").isVisible()).resolves.toBe(true);
    await app.page.getByRole("link", { name: "Import data" }).click();
    await app.page.waitForURL(/\/data$/);
    await app.page.getByText("No data set yet").waitFor();
  });

  it("uploads a CSV, shows progress and the import report, and lists the data set", async () => {
    await app.page.goto(`${app.url}/data`);
    await upload(fixture("online-retail-rules.csv"));
    const done = app.page.getByTestId("import-done");
    await done.waitFor({ timeout: 60_000 });
    const text = await done.innerText();
    expect(text).toContain('Imported online-retail-rules.csv as "online-retail-rules"');
    expect(text).toMatch(/LINES READ\s+25/i);
    expect(text).toMatch(/DUPLICATES DROPPED\s+3/i);
    expect(text).toMatch(/CUSTOMERS\s+4/i);
    expect(text).toMatch(/encoding windows-1252/i);
    expect(text).toMatch(/dates M\/D\/YYYY H:MM/i);
    const seen = await app.page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    expect(seen).toEqual(expect.arrayContaining(["upload-progress", "import-progress"]));
    await app.page.getByTestId("datasets").getByText("online-retail-rules").first().waitFor();
    // the report with its rejected line stays available in the list
    await app.page.getByRole("button", { name: "Report" }).click();
    await app.page.getByText('unreadable date "2/30/2011 10:00"').first().waitFor();
  });

  it("shows a clear error for a broken file and leaves the database unchanged", async () => {
    const before = dbState();
    await app.page.goto(`${app.url}/data`);
    await upload(fixture("bad-date.csv"));
    const error = app.page.getByTestId("import-error");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toMatch(/line 11: unreadable date "2\/30\/2011 8:28"/);
    expect(dbState()).toEqual(before);

    const empty = join(app.dir, "empty.csv");
    writeFileSync(empty, "");
    await app.page.getByRole("button", { name: "Dismiss" }).click();
    await upload(empty);
    await app.page.getByText("The file is empty (0 bytes)").waitFor();
    expect(dbState()).toEqual(before);
  });

  it("offers to replace a file imported before", async () => {
    // the page asks for the next import's process when it opens and again once an import is refused (decision 0032)
    const asked: string[] = [];
    const onRequest = (r: Request) =>
      r.method() === "POST" && r.url().endsWith("/api/imports/ahead") && asked.push(r.url());
    app.page.on("request", onRequest);
    await app.page.goto(`${app.url}/data`);
    await expect.poll(() => asked.length).toBe(1);
    await upload(fixture("online-retail-rules.csv"));
    const error = app.page.getByTestId("import-error");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toContain('already imported as "online-retail-rules"');
    await expect.poll(() => asked.length).toBe(2);
    app.page.off("request", onRequest);
    await app.page.getByRole("button", { name: "Replace the existing data set" }).click();
    await app.page.getByTestId("import-done").waitFor({ timeout: 60_000 });
    const rows = await app.page.getByTestId("datasets").locator("tbody tr:visible").count();
    expect(rows).toBe(1);
  });

  it("maps the columns of an unknown layout with a preview of the lines as they will be read", async () => {
    await app.page.goto(`${app.url}/data`);
    await upload(fixture("mapped-no-invoice.csv"));
    const form = app.page.getByTestId("mapping-form");
    await form.waitFor();
    const preview = app.page.getByTestId("mapping-preview");
    await preview.waitFor();
    await app.page.waitForFunction(() =>
      document.querySelector("[data-testid=mapping-preview] tbody")?.textContent?.includes("1997-01-01"),
    );
    const previewText = await preview.innerText();
    expect(previewText).toContain("00004"); // leading zeros kept
    expect(previewText).toContain("29.33");
    await app.page.getByRole("button", { name: "Import with this mapping" }).click();
    const done = app.page.getByTestId("import-done");
    await done.waitFor({ timeout: 60_000 });
    expect(await done.innerText()).toMatch(/CUSTOMERS\s+4/i);
  });

  it("switches the active data set and deletes one after confirmation", async () => {
    await app.page.goto(`${app.url}/data`);
    const table = app.page.getByTestId("datasets");
    await table.getByRole("button", { name: "Make active" }).first().click();
    await app.page.getByText("is now the active data set").waitFor();
    const before = await table.locator("tbody tr:visible").count();
    await table.getByRole("button", { name: "Delete" }).first().click();
    const dialog = app.page.getByRole("dialog");
    await dialog.getByText("Delete this data set?").waitFor();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await app.page.getByText(/^Deleted "/).waitFor();
    await expect.poll(() => table.locator("tbody tr:visible").count(), { timeout: 10_000 }).toBe(before - 1);
  });
});
