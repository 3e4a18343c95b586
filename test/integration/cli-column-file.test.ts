import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFacts } from "~/analytics/facts.server";
import { readSnapshot, snapshotPath } from "~/analytics/snapshot.server";
import { openDb, type Db } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { dataVersion } from "~/db/version.server";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { tempDb } from "../support/db";
import { startServer } from "../support/server";

// Issue 15, cold start: a CLI import or update (every import entry: app/derive) writes the data set's column file, so
// the first server start after it reads the file instead of walking SQLite (decision 0014). Above the file's
// 100,000-line threshold, hence a generated file.
let t: ReturnType<typeof tempDb>;
let file: string;
let db: string;
beforeAll(async () => {
  t = tempDb();
  file = join(t.dir, "generated.csv");
  await writeDemoCsv(file, { lines: 150_000, seed: 11 });
  db = join(t.dir, "cli.db");
}, 60_000);
afterAll(() => t.cleanup());

/** The data set's column file, read back for its current version, equals the columns loaded from SQLite. */
function expectFileEqualsSqlite(conn: Db, id: number) {
  const fromFile = readSnapshot(conn, id, dataVersion(conn, id));
  expect(fromFile).not.toBeNull();
  expect(fromFile).toEqual(loadFacts(conn, id));
  expect(fromFile!.lines.n).toBeGreaterThan(100_000);
}

describe("the column file after a CLI import", () => {
  it("is written by the import, equal to SQLite's columns, with no scratch spool left", () => {
    const r = cli(["import", file, "--db", db, "--until", "2011-11-30", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    // the bench's cost of the file at import: spooling the lines and writing the file, timed apart from the import
    const { seconds } = JSON.parse(r.stdout) as { seconds: { columnFile?: number; total: number } };
    expect(seconds.columnFile).toBeGreaterThan(0);
    expect(seconds.columnFile).toBeLessThan(seconds.total);
    const conn = openDb(db);
    try {
      expectFileEqualsSqlite(conn, activeDatasetId(conn)!);
      expect(readdirSync(join(t.dir, "columns")).filter((n) => n.startsWith("spool-"))).toEqual([]);
    } finally {
      conn.$client.close();
    }
  }, 180_000);

  it("is rewritten by an update for the data as the update left it", () => {
    const r = cli(["import", file, "--db", db, "--update", "generated", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).added).toBeGreaterThan(0);
    const conn = openDb(db);
    try {
      expectFileEqualsSqlite(conn, activeDatasetId(conn)!);
    } finally {
      conn.$client.close();
    }
  }, 180_000);

  it("is what the next server start reads: it serves pages without writing the file again", async () => {
    const conn = openDb(db);
    const id = activeDatasetId(conn)!;
    const path = snapshotPath(conn, id)!;
    conn.$client.close();
    const before = statSync(path);
    const server = await startServer({ DATABASE_PATH: db, DEMO_DATA: "off", WEB_WORKERS: "1" });
    try {
      const res = await fetch(`${server.url}/api/report/monthly`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json()).length).toBeGreaterThan(100);
    } finally {
      await server.stop();
    }
    // a load from SQLite writes a new file (a temporary one renamed into place): the same inode and time say it was read
    const after = statSync(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  }, 180_000);
});
