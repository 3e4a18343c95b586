import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { choosePersonaK } from "~/segments/compute.server";
import { chosenK as storedK, customerPersonaNames } from "~/segments/store.server";
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
    const untouched = ["/", "/experiments", "/revenue", "/cohorts", "/segments", "/recommendations"];
    for (const path of [...untouched, "/data", "/segments/personas"]) await onBoth(path);
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
    // the segments' figures and the recommendations do not depend on k (issue 15: they were rendered again)
    for (const path of untouched) expect(await onBoth(path), path).toEqual(["cache", "cache"]);
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
    expect(await onBoth("/segments/personas")).toEqual(["cache", "cache"]); // the chooser's visits rendered both
  });

  // issue 15: the customer-value fit's key held k, so choosing k started a new fit, prepared on the web worker's thread
  it("choosing k keeps the customer-value fit (no new one starts); its rows carry the new personas", async () => {
    let clv = await fetch(`${server.url}/api/clv?format=csv`);
    for (let i = 0; clv.status === 202 && i < 240; i++) {
      await new Promise((r) => setTimeout(r, 500)); // the first fit, in its worker thread
      clv = await fetch(`${server.url}/api/clv?format=csv`);
    }
    expect(clv.status).toBe(200);
    await clv.text();
    const db = openDb(t.path);
    const k = storedK(db, datasetId) === 2 ? 3 : 2; // the small file is swept for k = 2 and 3
    const chose = await fetch(`${server.url}/segments/personas`, {
      method: "POST",
      body: new URLSearchParams({ intent: "choose", k: String(k) }),
      redirect: "manual",
    });
    expect([chose.status, storedK(db, datasetId)]).toEqual([302, k]);
    const personas = new Map(customerPersonaNames(db, datasetId));
    db.$client.close();
    for (let i = 0; i < 2; i++) {
      const after = await fetch(`${server.url}/api/clv?format=csv`); // both workers: the fit is ready, not 202
      expect(after.status).toBe(200);
      const rows = (await after.text())
        .trim()
        .split("\r\n")
        .slice(1)
        .map((l) => l.split(","));
      expect(rows.length).toBe(personas.size);
      for (const [customer, , persona] of rows) expect(persona).toBe(personas.get(customer));
    }
  });

  it("/data is kept, and shows a data set another process imported on the next request", async () => {
    await onBoth("/data");
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
    const db = openDb(t.path);
    await importForTest(db, fixture("figures-shop.csv"), { name: "Imported elsewhere" });
    db.$client.close();
    // the first request renders; the second renders on the other worker, or is that first render if it reached the
    // same worker again (requests on a kept-alive connection do): each shows the new data set
    const [first, second] = [await page("/data"), await page("/data")];
    expect(first.from).toBe("render");
    for (const data of [first, second]) expect(data.html).toContain("Imported elsewhere");
    await onBoth("/data");
    expect(await onBoth("/data")).toEqual(["cache", "cache"]);
  });
});
