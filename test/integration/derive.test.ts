import { afterEach, beforeEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { importAndDerive } from "~/derive/derive.server";
import { importFile } from "~/ingest/import.server";
import { startImport } from "~/ingest/jobs.server";
import { hasSegments } from "~/segments/compute.server";
import { cli } from "../support/cli";
import { fixture, tempDb } from "../support/db";
import { hashTables } from "../support/hash";
import { finishedJob, uploadFile } from "../support/jobs";
import { startServer } from "../support/server";

// Issue 10 item 4: one "import and derive" use case. A data set is never readable without its segments: the import
// (and an update) writes them in its own transaction, and a data set an older version imported without them gets them
// once, when the server starts or the CLI opens the database, never lazily on a page's read.

const SHOP = fixture("context-shop.csv");

describe("import and derive", () => {
  let t: ReturnType<typeof tempDb>;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());

  const count = (sql: string, db = t.db.$client) => db.prepare(sql).pluck().get() as number;
  const WITHOUT_SEGMENTS =
    "SELECT count(*) FROM datasets d WHERE NOT EXISTS (SELECT 1 FROM segment_runs s WHERE s.dataset_id = d.id)";

  it("an import lands with its RFM scores, segments and personas: another connection never sees it without them", async () => {
    const other = new Database(t.path, { readonly: true });
    const seen: [string, number, number][] = [];
    const report = await importAndDerive(t.db, SHOP, {
      onProgress: (p) =>
        seen.push([p.stage, count("SELECT count(*) FROM datasets", other), count(WITHOUT_SEGMENTS, other)]),
    });
    other.close();
    expect(report.seconds.segments).toBeGreaterThan(0);
    expect(report.seconds.locked).toBeLessThan(report.seconds.total - report.seconds.segments!);
    // the same stages in CPU seconds: the sweep's threads worked for the segments, and no stage of one thread used
    // more CPU than every thread together
    const cpu = report.cpuSeconds!;
    expect(cpu.segments).toBeGreaterThan(0);
    for (const stage of ["parse", "clean", "store", "derive", "locked", "segments"] as const) {
      expect(cpu[stage], stage).toBeGreaterThanOrEqual(0);
      expect(cpu[stage], stage).toBeLessThanOrEqual(cpu.total);
    }
    expect(cpu.parse + cpu.clean + cpu.store + cpu.locked!).toBeLessThanOrEqual(cpu.total);
    // derived off the lock ("segments"), before anything was committed; "done" comes after the one commit
    expect(seen.map((s) => s[0])).toEqual(expect.arrayContaining(["segments", "deriving", "done"]));
    expect(seen.findIndex((s) => s[0] === "segments")).toBeLessThan(seen.findIndex((s) => s[0] === "deriving"));
    for (const [stage, datasets, without] of seen) {
      expect(without, stage).toBe(0);
      expect(datasets, stage).toBe(stage === "done" ? 1 : 0);
    }
    expect(count("SELECT count(*) FROM customer_rfm")).toBe(count("SELECT count(*) FROM customers"));
    expect(count("SELECT count(*) FROM persona_runs")).toBeGreaterThan(0);
    expect(count("SELECT chosen_k FROM segment_runs")).toBe(count("SELECT best_k FROM segment_runs"));
  });

  it("segments derived in memory equal those computed from the stored customers", async () => {
    await importAndDerive(t.db, SHOP, { name: "derived" });
    const rows = (db: Database.Database) => [
      db.prepare("SELECT * FROM customer_rfm ORDER BY customer_id").raw().all(),
      db.prepare("SELECT k, cluster, name, centroid, customers, revenue FROM personas ORDER BY k, cluster").raw().all(),
      db.prepare("SELECT snapshot_date, cuts, best_k, chosen_k FROM segment_runs").raw().all(),
    ];
    const derived = rows(t.db.$client);
    const { computeSegments } = await import("~/segments/compute.server");
    computeSegments(t.db, 1);
    expect(rows(t.db.$client)).toEqual(derived);
  });

  it("a data set an older version imported without segments gets them once, when the CLI opens the database", async () => {
    await importFile(t.db, SHOP, { name: "old" }); // as older versions did: segments came after the commit, or lazily
    const id = count("SELECT id FROM datasets");
    expect(hasSegments(t.db, id)).toBe(false);
    const first = cli(["segments", "--json", "--db", t.path]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("Derived the segments of 1 data set imported by an older version");
    expect(JSON.parse(first.stdout).segments.length).toBeGreaterThan(0);
    expect(hasSegments(t.db, id)).toBe(true);
    const again = cli(["segments", "--json", "--db", t.path]);
    expect(again.stderr).not.toContain("Derived");
    expect(again.stdout).toBe(first.stdout);
  });

  it("… and when the server starts, before it serves a page", async () => {
    await importFile(t.db, SHOP, { name: "old" });
    const server = await startServer({ DATABASE_PATH: t.path, DEMO_DATA: "off", WEB_WORKERS: "1" });
    try {
      expect(server.log()).toContain("Derived the segments of 1 data set(s) imported by an older version.");
      const res = await fetch(`${server.url}/api/segments`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { segments: { name: string; customers: number }[] };
      expect(body.segments.reduce((s, x) => s + x.customers, 0)).toBe(count("SELECT count(*) FROM customers"));
    } finally {
      await server.stop();
    }
    expect(hasSegments(t.db, count("SELECT id FROM datasets"))).toBe(true);
  });
});

describe("a file already applied to a data set", () => {
  it("is refused by the web's update job in one line, with no offer to replace, and changes nothing", async () => {
    const t = tempDb();
    process.env.DATABASE_PATH = t.path;
    try {
      const SHOP_M = fixture("measured-shop.csv");
      await importAndDerive(t.db, SHOP_M, { name: "shop", until: "2011-01-10" });
      const id = count1(t, "SELECT id FROM datasets");
      const run = async () =>
        finishedJob(startImport({ upload: await uploadFile(SHOP_M, "measured-shop.csv"), update: id }).id);
      expect((await run()).status).toBe("done");
      const before = hashTables(t.db);
      const again = await run();
      expect(again.status).toBe("failed");
      expect(again.error).toBe(
        `This file was already applied to "shop" on ${new Date().toISOString().slice(0, 10)}: nothing to add, nothing was changed`,
      );
      expect(again.canReplace).toBe(false);
      expect(hashTables(t.db)).toEqual(before);
    } finally {
      delete process.env.DATABASE_PATH;
      t.cleanup();
    }
  });
});

const count1 = (t: ReturnType<typeof tempDb>, sql: string) => t.db.$client.prepare(sql).pluck().get() as number;
