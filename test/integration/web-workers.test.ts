import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { choosePersonaK } from "~/segments/compute.server";
import { importForTest, fixture, tempDb } from "../support/db";
import { startServer } from "../support/server";

// The built server as `npm start` runs it: two web workers sharing the SQLite file, each with its page cache. A change
// made through one worker, or by another process, must show on the next request whichever worker answers it.

let server: Awaited<ReturnType<typeof startServer>>;
let t: ReturnType<typeof tempDb>;
let datasetId: number;

beforeAll(async () => {
  t = tempDb();
  datasetId = await importForTest(t.db, fixture("context-shop.csv"));
  t.db.$client.close();
  server = await startServer({ DATABASE_PATH: t.path, DEMO_DATA: "off", WEB_WORKERS: "2" });
});

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const chosenK = async () =>
  ((await (await fetch(`${server.url}/api/segments`)).json()) as { personas: { chosenK: number } }).personas.chosenK;

describe("web workers and the page cache", () => {
  it("starts one worker per WEB_WORKERS and says so", () => {
    expect(server.log()).toMatch(/2 web workers/);
  });

  it("shows a change made through the UI on every following request, on both workers", async () => {
    const before = await chosenK();
    for (let i = 0; i < 4; i++) expect(await chosenK()).toBe(before); // cached answers, from both workers
    const k = before === 3 ? 4 : 3;
    const res = await fetch(`${server.url}/segments/personas`, {
      method: "POST",
      body: new URLSearchParams({ intent: "choose", k: String(k) }),
      redirect: "manual",
    });
    expect(res.status).toBeLessThan(400);
    for (let i = 0; i < 4; i++) expect(await chosenK()).toBe(k);
  });

  it("shows a change committed by another process (an import's child, a CLI) on the next request", async () => {
    const now = await chosenK();
    const k = now === 2 ? 3 : 2;
    const db = openDb(t.path);
    choosePersonaK(db, datasetId, k);
    db.$client.close();
    for (let i = 0; i < 4; i++) expect(await chosenK()).toBe(k);
  });

  it("serves a cached page byte for byte as rendered (but for its CSP nonce, new in every response), with its headers", async () => {
    const withoutNonce = (html: string) => html.replace(/nonce="[^"]*"/g, 'nonce=""');
    const first = await fetch(`${server.url}/segments`);
    const a = await first.text();
    const second = await fetch(`${server.url}/segments`);
    expect(withoutNonce(await second.text())).toBe(withoutNonce(a));
    expect(second.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(a).toContain("Champions");
  });
});
