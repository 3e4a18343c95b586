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

  // issue 15 (think time with a write): a page is kept while the areas of the data it read are unchanged, and the one
  // who wrote sees the change on their next page even when others are still sent the page as it was
  const page = async (path: string, cookie?: string) => {
    const res = await fetch(server.url + path, { headers: cookie ? { cookie } : {} });
    return { from: res.headers.get("x-page-cache"), html: await res.text() };
  };
  const onBoth = async (path: string) => [(await page(path)).from, (await page(path)).from];

  it("choosing k renders the pages that read segments again and leaves the others cached; the chooser sees the new k", async () => {
    for (const path of ["/", "/experiments", "/revenue", "/cohorts", "/data", "/segments/personas"]) await onBoth(path);
    expect(await onBoth("/revenue")).toEqual(["cache", "cache"]);
    const k = Number(/Now: k = (?:<!-- -->)?(\d+)/.exec((await page("/segments/personas")).html)![1]) === 3 ? 4 : 3;
    const res = await fetch(`${server.url}/segments/personas`, {
      method: "POST",
      body: new URLSearchParams({ intent: "choose", k: String(k) }),
      redirect: "manual",
    });
    const cookie = res.headers.get("set-cookie")!.split(";")[0];
    expect(cookie).toMatch(/^campaign_lab_wrote=\d+$/);
    for (let i = 0; i < 2; i++) {
      const mine = await page("/segments/personas", cookie);
      expect(mine.html).toMatch(new RegExp(`Now: k = (<!-- -->)?${k}\\b`));
    }
    for (const path of ["/", "/experiments", "/revenue", "/cohorts"])
      expect(await onBoth(path)).toEqual(["cache", "cache"]);
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
    expect(await onBoth("/segments/personas")).toEqual(["cache", "cache"]); // the chooser's visits rendered both
  });

  it("/data is kept, and shows a data set another process imported on the next request", async () => {
    await onBoth("/data");
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
    const db = openDb(t.path);
    await importForTest(db, fixture("figures-shop.csv"), { name: "Imported elsewhere" });
    db.$client.close();
    for (let i = 0; i < 2; i++) {
      const data = await page("/data");
      expect(data.from).toBe("render");
      expect(data.html).toContain("Imported elsewhere");
    }
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
  });
});
