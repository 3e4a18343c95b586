import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Warehouse, maskUrl } from "~/db/warehouse.server";
import { parseTableName, quoteTable } from "~/lib/sql-names";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";

// The warehouse client (issue 17): unix-socket URLs, read-only transactions, masked passwords, one-line errors.

describe("warehouse names and URLs", () => {
  it("masks the password of a URL, in the user part and as a parameter", () => {
    expect(maskUrl("postgres://shop:s3cr%40t@db.example:5432/shop")).toBe("postgres://shop:***@db.example:5432/shop");
    expect(maskUrl("postgresql:///shop?host=/tmp/pg&password=hunter2&user=x")).toBe(
      "postgresql:///shop?host=/tmp/pg&password=***&user=x",
    );
    expect(maskUrl("postgresql:///shop?host=/tmp/pg")).toBe("postgresql:///shop?host=/tmp/pg");
  });

  it("quotes table names, folding unquoted parts as PostgreSQL does", () => {
    expect(parseTableName("Sales.Lines")).toEqual(["sales", "lines"]);
    expect(parseTableName('"My Shop"."Lines ""2024"""')).toEqual(["My Shop", 'Lines "2024"']);
    expect(quoteTable("public.lines")).toBe('"public"."lines"');
    for (const bad of ["lines; DROP TABLE x", "a..b", "", "1abc", '"open']) expect(parseTableName(bad)).toBeNull();
  });
});

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)("warehouse client on a real PostgreSQL", () => {
  let pg: TestCluster;
  beforeAll(() => {
    pg = startCluster();
    pg.psql(
      "CREATE SCHEMA shop; CREATE TABLE shop.lines (id int, customer text); INSERT INTO shop.lines VALUES (1, 'a');",
    );
  });
  afterAll(() => pg?.stop());

  it("connects over a unix socket (postgresql:///db?host=/dir) and reads a table's columns", async () => {
    expect(pg.url).toMatch(/^postgresql:\/\/\/postgres\?host=\//);
    const wh = new Warehouse(pg.url);
    try {
      expect((await wh.check()).serverVersion).toMatch(/^\d+/);
      expect(await wh.columns("shop.lines")).toEqual(["id", "customer"]);
      const n = await wh.run({ text: "SELECT count(*) AS n FROM shop.lines", values: [], read: (r) => r[0].n });
      expect(n).toBe(1);
    } finally {
      await wh.close();
    }
  });

  it("queues queries beyond the pool's connections without counting the wait as a connect timeout", async () => {
    // one connection, a 300 ms connect timeout, three queries of 0.4 s each: the last waits 0.8 s for the connection
    const wh = new Warehouse(pg.url, { maxConnections: 1, connectTimeoutMs: 300 });
    try {
      const slow = { text: "SELECT pg_sleep(0.4), 1 AS n", values: [], read: (r: Record<string, unknown>[]) => r[0].n };
      await expect(Promise.all([wh.run(slow), wh.run(slow), wh.run(slow)])).resolves.toEqual([1, 1, 1]);
    } finally {
      await wh.close();
    }
  });

  it("runs every query in a read-only transaction: a write is refused by PostgreSQL", async () => {
    const wh = new Warehouse(pg.url);
    try {
      await expect(wh.run({ text: "DELETE FROM shop.lines", values: [], read: () => null })).rejects.toThrow(
        /read-only transaction/,
      );
      expect(pg.psql("SELECT count(*) FROM shop.lines").trim()).toBe("1");
    } finally {
      await wh.close();
    }
  });

  it("gives each query its work_mem (WAREHOUSE_WORK_MEM) and refuses a malformed one", async () => {
    const wh = new Warehouse(pg.url, { workMem: "64MB" });
    try {
      expect(await wh.run({ text: "SHOW work_mem", values: [], read: (r) => r[0].work_mem })).toBe("64MB");
    } finally {
      await wh.close();
    }
    expect(() => new Warehouse(pg.url, { workMem: "1; DROP TABLE x" })).toThrow(/work_mem must be like 256MB/);
  });

  it("cancels a query past its statement timeout", async () => {
    const wh = new Warehouse(pg.url, { statementTimeoutMs: 100 });
    try {
      await expect(wh.run({ text: "SELECT pg_sleep(2)", values: [], read: () => null })).rejects.toThrow(/time limit/);
    } finally {
      await wh.close();
    }
  });

  it("says what is wrong in one line, without the password: credentials, database, table, column, no server", async () => {
    const cases: [string, (wh: Warehouse) => Promise<unknown>, RegExp][] = [
      [pg.url.replace("user=postgres", "user=intruder&password=s3cret"), (wh) => wh.check(), /refused the credentials/],
      [pg.url.replace(":///postgres", ":///nosuchdb"), (wh) => wh.check(), /no such database/],
      [pg.url, (wh) => wh.columns("shop.nosuch"), /no such table/],
      [
        pg.url,
        (wh) => wh.run({ text: "SELECT nosuch FROM shop.lines", values: [], read: () => null }),
        /mapped column is missing/,
      ],
      [
        `postgresql://u:s3cret@/postgres?host=${pg.socketDir}/nowhere`,
        (wh) => wh.check(),
        /cannot reach the warehouse/,
      ],
    ];
    for (const [url, act, message] of cases) {
      const wh = new Warehouse(url);
      try {
        const err = await act(wh).then(
          () => null,
          (e: Error) => e,
        );
        expect(err?.message).toMatch(message);
        expect(err?.message).not.toContain("s3cret");
        expect(err?.message).not.toContain("\n");
      } finally {
        await wh.close();
      }
    }
  });

  it("refuses a URL that is not PostgreSQL's", () => {
    expect(() => new Warehouse("mysql://root@localhost/shop")).toThrow(/PostgreSQL URL/);
  });
});
