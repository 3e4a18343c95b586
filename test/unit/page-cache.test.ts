import { SQLiteTable, getTableConfig } from "drizzle-orm/sqlite-core";
import { afterEach, describe, expect, it } from "vitest";
import { AREAS, TABLE_AREAS, changeCounts } from "~/db/change-counters.server";
import * as schema from "~/db/schema";
import { PageCache } from "../../server/page-cache";
import { tempDb } from "../support/db";

// The page cache (issue 15, think-time run with a write): a page is kept while the areas of the data it read are
// unchanged; after a change, the first visitor renders it and waits, visitors meanwhile get it as it was, never the
// visitor who wrote; past its TTL an answer is sent while one background render replaces it. The clock is a variable
// here: no timed test.

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup() {
  const t = tempDb();
  cleanup = t.cleanup;
  const sqlite = t.db.$client;
  let clock = 1_000_000;
  const cache = new PageCache(sqlite, { ttlMs: 60_000, staleMs: 60_000, changedStaleMs: 30_000, now: () => clock });
  const renders: Record<string, number> = {};
  // a page that reads `sql` (prepared once, as the stores do) and says which render it is
  const page = (name: string, sql: string) => {
    const read = sqlite.prepare(sql);
    return async () => {
      read.all();
      await new Promise((r) => setImmediate(r)); // the render goes on after an await: its reads still count
      read.all();
      return new Response(`${name} ${(renders[name] = (renders[name] ?? 0) + 1)}`, { status: 200 });
    };
  };
  const body = async (p: Promise<{ answer: { body: Buffer }; from: string }>) => {
    const { answer, from } = await p;
    return `${answer.body.toString()} (${from})`;
  };
  return { sqlite, cache, page, body, renders, advance: (ms: number) => (clock += ms), now: () => clock };
}

const REVENUE = "SELECT count(*) FROM orders JOIN datasets ON datasets.id = orders.dataset_id";
const PERSONAS = 'SELECT "chosen_k", count(*) FROM "datasets", "segment_runs", "customer_rfm" GROUP BY "persona"';

describe("page cache: what a change invalidates", () => {
  it("every table has an area, and every small table's writes move its area's counter (any connection's)", () => {
    const { sqlite } = setup();
    const tables = (Object.values(schema) as unknown[])
      .filter((v): v is SQLiteTable => v instanceof SQLiteTable)
      .map((t) => getTableConfig(t).name)
      .filter((name) => name !== "change_counters");
    expect(tables.sort()).toEqual(Object.keys(TABLE_AREAS).sort());
    const triggers = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
    for (const [table, { area, trigger }] of Object.entries(TABLE_AREAS)) {
      for (const op of ["insert", "update", "delete"])
        expect(triggers.includes(`change_${table}_${op}`), `${table} ${op}`).toBe(trigger);
      if (!trigger) continue;
      const before = changeCounts(sqlite);
      // one write of any kind to the table (a no-op update counts too: the trigger fires per row written)
      const columns = sqlite.prepare(`SELECT name, "notnull", pk FROM pragma_table_info('${table}')`).all() as {
        name: string;
        notnull: number;
      }[];
      const values = columns.map((c) => (c.name === "kind" ? "'imported'" : c.notnull ? "1" : "NULL"));
      sqlite.prepare(`INSERT INTO ${table} (${columns.map((c) => `"${c.name}"`).join(", ")}) VALUES (${values})`).run();
      const after = changeCounts(sqlite);
      for (const other of AREAS)
        expect(after[other] - before[other], `${table} → ${other}`).toBe(other === area ? 1 : 0);
      sqlite.prepare(`DELETE FROM ${table}`).run();
    }
    // choosing k updates one column of segment_runs: the personas area alone
    sqlite.prepare("INSERT INTO segment_runs VALUES (1, '2011-12-09', '[]', 3, 3, NULL, 0, 'then')").run();
    const before = changeCounts(sqlite);
    sqlite.prepare("UPDATE segment_runs SET chosen_k = 4").run();
    expect(changeCounts(sqlite)).toEqual({ ...before, personas: before.personas + 1 });
    sqlite.prepare("UPDATE segment_runs SET computed_at = 'now', chosen_k = 5").run();
    expect(changeCounts(sqlite)).toEqual({ ...before, segments: before.segments + 1, personas: before.personas + 2 });
  });

  it("a write leaves the pages that did not read its area cached and renders the others again", async () => {
    const { sqlite, cache, page, body } = setup();
    sqlite.prepare("INSERT INTO segment_runs VALUES (1, '2011-12-09', '[]', 3, 3, NULL, 0, 'then')").run();
    const revenue = page("revenue", REVENUE);
    const board = page("board", "SELECT count(*) FROM customer_rfm WHERE segment = 'Champions'");
    const personas = page("personas", PERSONAS);
    for (const [path, render] of [
      ["/revenue", revenue],
      ["/", board],
      ["/segments/personas", personas],
    ] as const) {
      expect(await body(cache.answer(path, render))).toMatch(/ 1 \(render\)$/);
      expect(await body(cache.answer(path, render))).toMatch(/ 1 \(cache\)$/);
    }

    // choosing k (from another connection: a web worker, the CLI): only the pages that read personas
    sqlite.prepare("UPDATE segment_runs SET chosen_k = 4").run();
    expect(await body(cache.answer("/revenue", revenue))).toBe("revenue 1 (cache)");
    expect(await body(cache.answer("/", board))).toBe("board 1 (cache)");
    expect(await body(cache.answer("/segments/personas", personas))).toBe("personas 2 (render)");

    // segments derived again: every page that read segments
    sqlite.prepare("UPDATE segment_runs SET computed_at = 'now'").run();
    expect(await body(cache.answer("/revenue", revenue))).toBe("revenue 1 (cache)");
    expect(await body(cache.answer("/", board))).toBe("board 2 (render)");
    expect(await body(cache.answer("/segments/personas", personas))).toBe("personas 3 (render)");

    // an import: the data area, which revenue and personas read
    sqlite
      .prepare(
        "INSERT INTO datasets (name, file_name, content_hash, format, encoding, date_format, imported_at, report) VALUES ('a', 'a.csv', 'h', 'csv', 'utf8', 'iso', 'now', '{}')",
      )
      .run();
    expect(await body(cache.answer("/revenue", revenue))).toBe("revenue 2 (render)");
    expect(await body(cache.answer("/", board))).toBe("board 2 (cache)");
    expect(await body(cache.answer("/segments/personas", personas))).toBe("personas 4 (render)");
  });

  it("keeps a redirect as it keeps a page (the old overview's `/?from=…` links), until the data it read changes", async () => {
    const { sqlite, cache, body } = setup();
    let n = 0;
    const read = sqlite.prepare(REVENUE);
    const moved = async () => {
      read.all();
      return new Response(`moved ${++n}`, { status: 301, headers: { Location: "/overview?from=2011-06-01" } });
    };
    expect(await body(cache.answer("/?from=2011-06-01", moved))).toBe("moved 1 (render)");
    const kept = await cache.answer("/?from=2011-06-01", moved);
    expect([kept.from, kept.answer.status]).toEqual(["cache", 301]);
    expect(kept.answer.headers).toContainEqual(["location", "/overview?from=2011-06-01"]);
    sqlite
      .prepare(
        "INSERT INTO datasets (name, file_name, content_hash, format, encoding, date_format, imported_at, report) VALUES ('a', 'a.csv', 'h', 'csv', 'utf8', 'iso', 'now', '{}')",
      )
      .run();
    expect(await body(cache.answer("/?from=2011-06-01", moved))).toBe("moved 2 (render)");
  });

  it("a write during a render makes that render stale at once (its areas were read before it began)", async () => {
    const { sqlite, cache, body } = setup();
    let n = 0;
    const racing = async () => {
      sqlite.prepare("SELECT * FROM experiments").all();
      sqlite
        .prepare(
          "INSERT INTO experiments (dataset_id, name, status, design, version, created_at, updated_at) VALUES (1, 'x', 'draft', '{}', 1, 'now', 'now')",
        )
        .run();
      return new Response(`board ${++n}`);
    };
    expect(await body(cache.answer("/", racing))).toBe("board 1 (render)");
    expect(await body(cache.answer("/", racing))).toBe("board 2 (render)");
  });
});

describe("page cache: who sees what after a change", () => {
  it("the first visitor after a change waits for the new page; visitors meanwhile get the old one, never the writer", async () => {
    const { sqlite, cache, page, body, advance, now } = setup();
    const personas = page("personas", PERSONAS);
    await cache.answer("/segments/personas", personas);
    advance(1_000);
    sqlite.prepare("INSERT INTO segment_runs VALUES (1, '2011-12-09', '[]', 3, 3, NULL, 0, 'now')").run();
    const wrote = now(); // the writer's cookie: the time its write answered
    advance(10);

    const first = body(cache.answer("/segments/personas", personas)); // renders the new page and waits for it
    const other = body(cache.answer("/segments/personas", personas)); // arrives meanwhile: the page as it was
    const writer = body(cache.answer("/segments/personas", personas, { wroteAt: wrote })); // waits for the new one
    expect(await other).toBe("personas 1 (stale)");
    expect(await first).toBe("personas 2 (render)");
    expect(await writer).toBe("personas 2 (render)");
    expect(await body(cache.answer("/segments/personas", personas, { wroteAt: wrote }))).toBe("personas 2 (cache)");
  });

  it("a writer never joins a render that began before its write", async () => {
    const { sqlite, cache, page, body, advance, now } = setup();
    const personas = page("personas", PERSONAS);
    await cache.answer("/segments/personas", personas);
    sqlite
      .prepare(
        "INSERT INTO audiences (dataset_id, name, kind, definition, created_at, updated_at) VALUES (1, 'a', 'segment', '{}', 'now', 'now')",
      )
      .run();
    advance(10);
    const early = body(cache.answer("/segments/personas", personas)); // began before the write below answered
    advance(10);
    const wrote = now();
    advance(10);
    const writer = body(cache.answer("/segments/personas", personas, { wroteAt: wrote }));
    expect(await early).toBe("personas 1 (cache)"); // audiences: not an area this page read
    expect(await writer).toBe("personas 1 (cache)");

    sqlite.prepare("INSERT INTO segment_runs VALUES (1, '2011-12-09', '[]', 3, 3, NULL, 0, 'now')").run();
    advance(10);
    const before = body(cache.answer("/segments/personas", personas)); // render 2 begins
    advance(10);
    const wrote2 = now();
    advance(10);
    const writer2 = body(cache.answer("/segments/personas", personas, { wroteAt: wrote2 })); // render 3, its own
    expect(await before).toBe("personas 2 (render)");
    expect(await writer2).toBe("personas 3 (render)");
  });

  it("after a change, the old page is sent to others only for a while; then the visitor waits for a render", async () => {
    const { sqlite, cache, page, body, advance } = setup();
    const personas = page("personas", PERSONAS);
    await cache.answer("/segments/personas", personas);
    sqlite.prepare("INSERT INTO segment_runs VALUES (1, '2011-12-09', '[]', 3, 3, NULL, 0, 'now')").run();
    // a successor that never finishes (a render stuck behind a long fit)
    let release: (r: Response) => void = () => undefined;
    const stuck = () => new Promise<Response>((resolve) => (release = resolve));
    const first = body(cache.answer("/segments/personas", stuck));
    expect(await body(cache.answer("/segments/personas", personas))).toBe("personas 1 (stale)");
    advance(31_000);
    const waiting = body(cache.answer("/segments/personas", personas)); // too long since the change: waits for it
    release(new Response("personas, new"));
    expect(await first).toBe("personas, new (render)");
    expect(await waiting).toBe("personas, new (render)");
    expect(await body(cache.answer("/segments/personas", personas))).toBe("personas, new (cache)");
  });

  it("serves a fresh answer without rendering, and one past its TTL while a single refresh renders", async () => {
    const { cache, page, body, renders, advance } = setup();
    const revenue = page("revenue", REVENUE);
    expect(await body(cache.answer("/a", revenue))).toBe("revenue 1 (render)");
    expect(await body(cache.answer("/a", revenue))).toBe("revenue 1 (cache)");
    advance(61_000); // past the TTL: three visitors get the old answer at once, one render replaces it
    const stale = await Promise.all([1, 2, 3].map(() => body(cache.answer("/a", revenue))));
    expect(stale).toEqual(["revenue 1 (stale)", "revenue 1 (stale)", "revenue 1 (stale)"]);
    for (let i = 0; i < 50 && renders.revenue < 2; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(renders.revenue).toBe(2);
    expect(await body(cache.answer("/a", revenue))).toBe("revenue 2 (cache)");
    advance(121_000); // far past the TTL and the stale time: rendered for the visitor
    expect(await body(cache.answer("/a", revenue))).toBe("revenue 3 (render)");
  });
});
