import { afterAll, beforeAll } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "./browser";
import { startServer } from "./server";

export type App = {
  url: string;
  page: Page;
  context: BrowserContext;
  dir: string;
  dbPath: string;
  /** what the server printed so far (stdout and stderr) */
  log: () => string;
};

/**
 * For a browser test file: a temporary folder and database, the built app serving it (with `env`), and a Chromium page;
 * `prepare` runs on the database before the server starts, `init` on the browser context before the first page.
 */
export function useApp(
  env: Record<string, string>,
  hooks: { prepare?: (dbPath: string) => void; init?: (context: BrowserContext) => Promise<unknown> } = {},
): App {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const app = { log: () => server?.log() ?? "" } as App;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    app.dir = mkdtempSync(join(tmpdir(), "campaign-lab-e2e-"));
    app.dbPath = join(app.dir, "e2e.db");
    hooks.prepare?.(app.dbPath);
    server = await startServer({ DATABASE_PATH: app.dbPath, ...env });
    app.url = server.url;
    browser = await launchBrowser();
    app.context = browser.context;
    await hooks.init?.(app.context);
    app.page = await app.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (app.dir) rmSync(app.dir, { recursive: true, force: true });
  });
  return app;
}
