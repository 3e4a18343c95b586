import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/db.server";
import { closeWarehouses } from "~/db/warehouse.server";
import { connectAndDerive, rereadAndDerive } from "~/derive/warehouse.server";
import { parseMapArgs } from "~/ingest/formats";
import type { WarehouseProgress } from "~/types/warehouse";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { tempDb } from "../support/db";
import { hashTables } from "../support/hash";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { loadShop, SHOP_MAP } from "../support/warehouse-shop";

// A warehouse data set's connection and re-read are computed first (PostgreSQL and memory, no lock), then written in
// ONE SQLite transaction: a fault at any stage leaves every table as it was, and a reader on another connection sees
// the old data set or the new one, never the new customers with the old segments (issue 17; the import's equivalent
// is test/security/staged-update.test.ts). Before, a re-read committed the report and customers, then derived
// segments in a second step: a fault there left the new customers beside the old segments.

const missing = postgresMissing();
if (missing) console.warn(missing);

const STAGES: WarehouseProgress["stage"][] = ["connecting", "report", "customers", "segments", "storing"];
const faultAt = (stage: WarehouseProgress["stage"]) => (p: WarehouseProgress) => {
  if (p.stage === stage) throw new Error(`fault at ${stage}`);
};
/** Every table of another connection's view of the file (WAL: it reads the last committed state). */
const otherView = (file: string) => {
  const other = new Database(file, { readonly: true });
  try {
    return hashTables({ $client: other } as unknown as Db);
  } finally {
    other.close();
  }
};

describe.skipIf(missing !== null)("a warehouse data set's connection and re-read, all at once", () => {
  let pg: TestCluster;
  const t = tempDb();
  let id = 0;
  const request = () => ({ url: pg.url, table: "shop.lines", map: parseMapArgs(SHOP_MAP), currency: "GBP" });
  beforeAll(async () => {
    pg = startCluster();
    const file = path.join(t.dir, "shop.csv");
    // 8,000 generated lines: 64 customers, enough for a persona sweep
    await writeDemoCsv(file, { lines: 8_000, seed: 7 });
    loadShop(pg, "shop.lines", file, "WIN1252");
  }, 120_000);
  afterAll(async () => {
    await closeWarehouses();
    pg?.stop();
    t.cleanup();
  });

  it("connects with its stages in order; a fault at any stage or under the lock adds nothing", async () => {
    const before = hashTables(t.db);
    for (const stage of STAGES) {
      await expect(connectAndDerive(t.db, request(), { onProgress: faultAt(stage) })).rejects.toThrow(
        `fault at ${stage}`,
      );
      expect(hashTables(t.db), stage).toEqual(before);
    }
    await expect(
      connectAndDerive(t.db, request(), {
        beforeCommit: () => {
          throw new Error("fault under the lock");
        },
      }),
    ).rejects.toThrow("fault under the lock");
    expect(hashTables(t.db)).toEqual(before);
    const stages: string[] = [];
    const connected = await connectAndDerive(t.db, request(), { onProgress: (p) => stages.push(p.stage) });
    expect(stages).toEqual([...STAGES, "done"]);
    id = connected.id;
    const count = (sql: string) => t.db.$client.prepare(sql).pluck().get(id);
    expect(count("SELECT count(*) FROM customer_rfm WHERE dataset_id = ?")).toBe(connected.report.customers);
    expect(count("SELECT count(*) FROM personas WHERE dataset_id = ?")).toBeGreaterThan(0);
  }, 120_000);

  it("re-reads with its stages; a fault at any stage or under the lock leaves every table as it was", async () => {
    // new lines: a customer from Iceland, and a later day, so that the report, customers and segments all change
    pg.psql(`INSERT INTO shop.lines
SELECT '999' || i, '22423', 'REGENCY CAKESTAND', 2, timestamp '2011-12-20 10:00' + i * interval '1 day', 12.75, '99999', 'Iceland'
FROM generate_series(1, 3) i`);
    const before = hashTables(t.db);
    for (const stage of STAGES) {
      await expect(rereadAndDerive(t.db, id, { onProgress: faultAt(stage) })).rejects.toThrow(`fault at ${stage}`);
      expect(hashTables(t.db), stage).toEqual(before);
    }
    let seen: Record<string, string> = {};
    await expect(
      rereadAndDerive(t.db, id, {
        beforeCommit: () => {
          seen = otherView(t.path); // everything written, not yet committed
          throw new Error("fault under the lock");
        },
      }),
    ).rejects.toThrow("fault under the lock");
    expect(seen).toEqual(before);
    expect(hashTables(t.db)).toEqual(before);

    const stages: string[] = [];
    let during: Record<string, string> = {};
    const report = await rereadAndDerive(t.db, id, {
      onProgress: (p) => stages.push(p.stage),
      beforeCommit: () => (during = otherView(t.path)),
    });
    expect(stages).toEqual([...STAGES, "done"]);
    expect(report.dateRange![1]).toBe("2011-12-23T10:00:00");
    // a reader during the write saw the old state whole; after the commit every derived table is new at once
    expect(during).toEqual(before);
    const after = otherView(t.path);
    for (const table of ["datasets", "customers", "customer_rfm", "segment_runs", "personas", "dataset_imports"])
      expect([table, after[table] === before[table]]).toEqual([table, false]);
    const snapshot = t.db.$client.prepare("SELECT snapshot_date FROM segment_runs WHERE dataset_id = ?").pluck();
    expect(snapshot.get(id)).toBe("2011-12-23");
    const rfm = t.db.$client.prepare("SELECT recency FROM customer_rfm WHERE dataset_id = ? AND customer_id = '99999'");
    expect(rfm.pluck().get(id)).toBe(0);
  }, 120_000);

  it("prints the stages on stderr with `cli warehouse reread`, as an import prints its own", () => {
    const r = cli(["warehouse", "reread", "--dataset", String(id), "--db", t.path]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual([
      "Reading the table again: connecting and checking the table",
      "Reading the table again: computing the cleaning report in the warehouse",
      "Reading the table again: reading the customers from the warehouse",
      "Reading the table again: computing RFM segments and personas",
      "Reading the table again: storing the report, customers, segments and personas at once",
    ]);
    expect(r.stdout).toMatch(/lines read\s+8,003/);
  });

  it("says PostgreSQL is gone in one sentence and changes nothing when it stops", async () => {
    const before = hashTables(t.db);
    await closeWarehouses();
    pg.stop();
    await expect(rereadAndDerive(t.db, id)).rejects.toThrow(/^cannot reach the warehouse at postgresql:\/\/\/postgres/);
    expect(hashTables(t.db)).toEqual(before);
  });
});
