import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWarehouseSync } from "~/db/warehouse-sync.server";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";

// The blocking bridge (issue 17): synchronous code gets a builder's result from PostgreSQL, with the client's rules
// (read-only, one-line errors without the password).

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)("runWarehouseSync", () => {
  let pg: TestCluster;
  beforeAll(() => {
    pg = startCluster();
    pg.psql("CREATE TABLE t (id int, amount numeric); INSERT INTO t VALUES (1, 2.5), (2, 4);");
  });
  afterAll(() => pg?.stop());

  it("returns the read step's shape, numeric and bigint as numbers, synchronously", () => {
    const sum = runWarehouseSync(pg.url, {
      text: "SELECT sum(amount) AS s, count(*) AS n FROM t WHERE id >= $1",
      values: [1],
      read: (rows) => ({ s: rows[0].s, n: rows[0].n }),
    });
    expect(sum).toEqual({ s: 6.5, n: 2 });
  });

  it("refuses a write (read-only transaction) and names a missing table, without the password", () => {
    const url = `${pg.url}&password=hunter2`;
    expect(() => runWarehouseSync(url, { text: "DELETE FROM t", values: [], read: () => null })).toThrow(
      /read-only transaction/,
    );
    expect(pg.psql("SELECT count(*) FROM t").trim()).toBe("2");
    let message = "";
    try {
      runWarehouseSync(url, { text: "SELECT * FROM nope", values: [], read: () => null });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/no such table/);
    expect(message).not.toContain("hunter2");
  });

  it("sets the session once per connection: read only, the statement timeout, work_mem and UTC", () => {
    const show = (setting: string) =>
      runWarehouseSync(pg.url, {
        text: `SHOW ${setting}`,
        values: [],
        read: (rows) => String(Object.values(rows[0])[0]),
      });
    expect(show("default_transaction_read_only")).toBe("on");
    expect(show("work_mem")).toBe("256MB");
    expect(show("statement_timeout")).toBe("2min");
    expect(show("timezone")).toBe("UTC");
    // one statement per query: no transaction is left open between them
    expect(show("transaction_read_only")).toBe("on");
  });
});
