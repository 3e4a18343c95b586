import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerOrders } from "~/analytics/facts";
import { getFacts, loadFacts } from "~/analytics/facts.server";
import { readSnapshot, snapshotPath, writeSnapshot } from "~/analytics/snapshot.server";
import { dataVersion } from "~/db/version.server";
import { fixture, importForTest, tempDb } from "../support/db";

// The columns kept in a file beside the database (issue 15, cold start): read back equal to SQLite's, and only for the
// data set's current version; a torn file or another version is ignored; deleted data sets' files go.
let t: ReturnType<typeof tempDb>;
let id: number;
beforeAll(async () => {
  t = tempDb();
  id = await importForTest(t.db, fixture("context-shop.csv"));
});
afterAll(() => t.cleanup());

describe("column snapshot", () => {
  it("reads back exactly the columns loaded from SQLite", () => {
    const version = dataVersion(t.db, id);
    const fromSqlite = loadFacts(t.db, id);
    expect(writeSnapshot(t.db, id, version, fromSqlite, 0)).toBe(true);
    const fromFile = readSnapshot(t.db, id, version);
    expect(fromFile).not.toBeNull();
    expect(fromFile).toEqual(fromSqlite);
    expect(fromFile!.lines.n).toBeGreaterThan(0);
    // the server's loader takes it from the file: same figures
    expect(getFacts(t.db, id)).toEqual(fromSqlite);
  });

  it("ignores a file of another version, a torn file, and writes nothing for a small data set by default", () => {
    const version = dataVersion(t.db, id);
    writeSnapshot(t.db, id, version, loadFacts(t.db, id), 0);
    expect(readSnapshot(t.db, id, `${version}x`)).toBeNull();
    const path = snapshotPath(t.db, id)!;
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 8));
    expect(readSnapshot(t.db, id, version)).toBeNull();
    writeFileSync(path, "not a snapshot");
    expect(readSnapshot(t.db, id, version)).toBeNull();
    expect(writeSnapshot(t.db, 999, version, loadFacts(t.db, id))).toBe(false); // 20-odd lines: below the default
  });

  it("a snapshot's columns share one buffer; the CLV job posted to its thread holds only its columns' values", () => {
    const version = dataVersion(t.db, id);
    writeSnapshot(t.db, id, version, loadFacts(t.db, id), 0);
    const facts = readSnapshot(t.db, id, version)!;
    expect(facts.orders.day.buffer).toBe(facts.lines.amount.buffer); // posting a view would copy every column
    const job = customerOrders(facts);
    for (const column of [job.orders.kind, job.orders.customer, job.orders.day, job.orders.amount])
      expect(column.buffer.byteLength).toBe(facts.orders.n * column.BYTES_PER_ELEMENT);
    expect(job.customers.country.buffer.byteLength).toBe(facts.customers.ids.length * 4);
    expect([...job.orders.day]).toEqual([...facts.orders.day.subarray(0, facts.orders.n)]);
  });

  it("removes the files of data sets that no longer exist", () => {
    const version = dataVersion(t.db, id);
    const dir = dirname(snapshotPath(t.db, id)!);
    writeFileSync(`${dir}/4242.bin`, "left by a deleted data set");
    writeSnapshot(t.db, id, version, loadFacts(t.db, id), 0);
    expect(readdirSync(dir)).toEqual([`${id}.bin`]);
    expect(existsSync(snapshotPath(t.db, id)!)).toBe(true);
  });
});
