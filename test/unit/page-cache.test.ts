import Database from "better-sqlite3";
import type { Response as ExpressResponse } from "express";
import { describe, expect, it } from "vitest";
import { PageCache } from "../../server/page-cache";

// The page cache's clock (issue 15, think-time run): an answer past its TTL is still sent while one background render
// replaces it; a database change is never sent stale. The clock is a variable here: no timed test.
function fakeResponse() {
  const sent: { status?: number; body?: string } = {};
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    append() {
      return res;
    },
    end(body: Buffer) {
      sent.body = body.toString();
    },
  };
  return { res: res as unknown as ExpressResponse, sent };
}

function setup() {
  const sqlite = new Database(":memory:");
  sqlite.exec("CREATE TABLE t (x)");
  let clock = 1_000_000;
  const cache = new PageCache(sqlite, { ttlMs: 60_000, staleMs: 60_000, now: () => clock });
  let renders = 0;
  const produce = async () => new Response(`render ${++renders}`, { status: 200 });
  return {
    sqlite,
    cache,
    produce,
    renders: () => renders,
    advance: (ms: number) => (clock += ms),
  };
}

describe("page cache", () => {
  it("serves a fresh answer without rendering, and a stale one while a single refresh renders", async () => {
    const { cache, produce, renders, advance } = setup();
    const v = cache.version();
    expect((await cache.render("/a", v, produce)).body.toString()).toBe("render 1");
    const fresh = fakeResponse();
    expect(cache.serve("/a", v, fresh.res, undefined, produce)).toBe(true);
    expect(fresh.sent.body).toBe("render 1");
    expect(renders()).toBe(1);

    advance(61_000); // past the TTL: three visitors get the old answer at once, one render replaces it
    const stale = [fakeResponse(), fakeResponse(), fakeResponse()];
    for (const s of stale) expect(cache.serve("/a", v, s.res, undefined, produce)).toBe(true);
    expect(stale.map((s) => s.sent.body)).toEqual(["render 1", "render 1", "render 1"]);
    for (let i = 0; i < 50 && renders() < 2; i++) await new Promise((r) => setImmediate(r));
    expect(renders()).toBe(2);
    const next = fakeResponse();
    expect(cache.serve("/a", v, next.res, undefined, produce)).toBe(true);
    expect(next.sent.body).toBe("render 2");
    expect(renders()).toBe(2); // the refreshed answer is fresh again
  });

  it("renders again (never serves stale) once the database changed or the answer is two minutes old", async () => {
    const { sqlite, cache, produce, advance } = setup();
    const v = cache.version();
    await cache.render("/a", v, produce);
    sqlite.prepare("INSERT INTO t VALUES (1)").run();
    const after = cache.version();
    expect(after).not.toBe(v);
    expect(cache.serve("/a", after, fakeResponse().res, undefined, produce)).toBe(false);

    await cache.render("/b", after, produce);
    advance(121_000);
    expect(cache.serve("/b", after, fakeResponse().res, undefined, produce)).toBe(false);
    // without a way to refresh, past the TTL is a miss
    await cache.render("/c", after, produce);
    advance(61_000);
    expect(cache.serve("/c", after, fakeResponse().res)).toBe(false);
  });
});
