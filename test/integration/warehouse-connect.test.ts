import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { warehouseConnection, warehouseInfo } from "~/db/warehouse-sources.server";
import { cli } from "../support/cli";
import { fixture, tempDb } from "../support/db";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { everyTable, loadShop, SHOP_MAP } from "../support/warehouse-shop";

// `warehouse add|preview` (issue 17): a PostgreSQL table connected through the CSV mapping, its cleaning report
// computed in the warehouse, the URL masked everywhere; bad input gets one sentence and leaves SQLite as it was.

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)("warehouse add and preview", () => {
  let pg: TestCluster;
  let url: string;
  const maps = SHOP_MAP.flatMap((m) => ["--map", m]);
  beforeAll(() => {
    pg = startCluster();
    loadShop(pg, "shop.lines", fixture("context-shop.csv"));
    pg.psql(`CREATE TABLE shop.empty (LIKE shop.lines); CREATE ROLE reader LOGIN PASSWORD 'right-pass';
GRANT USAGE ON SCHEMA shop TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA shop TO reader;`);
    // the role `reader` must give its password (scram), everyone else is trusted as before
    const hba = path.join(pg.socketDir, "data", "pg_hba.conf");
    writeFileSync(hba, `local all reader scram-sha-256\n${readFileSync(hba, "utf8")}`);
    pg.psql("SELECT pg_reload_conf();");
    // a password in the URL (ignored by trust authentication) shows that it is masked everywhere
    url = `${pg.url}&password=hunter2`;
  });
  afterAll(() => pg?.stop());

  it("adds a table as the active data set with the cleaning report, and never prints the password", () => {
    const t = tempDb();
    try {
      const r = cli([
        "warehouse",
        "add",
        "--url",
        url,
        "--orders",
        "shop.lines",
        ...maps,
        "--workspace",
        "Shop",
        "--db",
        t.path,
        "--json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain("hunter2");
      const out = JSON.parse(r.stdout);
      // context-shop.csv: 14 lines, worked by hand in test/unit/analytics.test.ts (the CSV import gives the same counts)
      expect(out).toMatchObject({ id: 1, kind: "warehouse", linesRead: 14, format: "mapped", currency: null });
      expect(out.url).toContain("password=***");
      const db = openDb(t.path);
      try {
        expect(warehouseInfo(db, 1)).toMatchObject({ ordersTable: "shop.lines", maskedUrl: out.url });
        expect(warehouseConnection(db, 1)!.url).toBe(url);
        const imported = cli(["import", fixture("context-shop.csv"), "--db", t.dir + "/csv.db", "--json"]);
        const csv = JSON.parse(imported.stdout);
        for (const key of [
          "linesRead",
          "rejectedLines",
          "duplicateLines",
          "cancellationLines",
          "invalidLines",
          "salesLines",
          "salesRevenue",
          "customers",
          "invoices",
          "customerRevenue",
          "cancelledValue",
          "dateRange",
        ])
          expect([key, out[key]]).toEqual([key, csv[key]]);
        // `report` as text: the imported copy's tables, written from the figures computed in PostgreSQL (in the
        // import's currency, set as a user would)
        expect(cli(["currency", csv.currency, "--db", t.path]).code).toBe(0);
        for (const args of [["overview"], ["cohorts", "--country", "France"], ["products", "--from", "2011-02-01"]]) {
          const [w, c] = [t.path, t.dir + "/csv.db"].map((file) => cli(["report", ...args, "--db", file]));
          expect([args, w.code, w.stderr]).toEqual([args, 0, ""]);
          expect(w.stdout).toContain(args[0] === "overview" ? "revenue (GBP)" : args[0]);
          expect(w.stdout).toBe(c.stdout);
        }
        // `segments` on the same --db: the imported copy's segments, derived from RFM computed in PostgreSQL
        const [ws, cs] = [t.path, t.dir + "/csv.db"].map((file) => cli(["segments", "--db", file]));
        expect([ws.code, ws.stderr]).toEqual([0, ""]);
        expect(ws.stdout).toContain("Champions");
        expect(ws.stdout).toBe(cs.stdout);
      } finally {
        db.$client.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it("previews the first rows as the mapping reads them", () => {
    const r = cli(["warehouse", "preview", "--url", url, "--orders", "shop.lines", ...maps, "--json"]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.maskedUrl).not.toContain("hunter2");
    expect(p.columns).toContain("customer_no");
    expect(p.rows.length).toBeGreaterThan(0);
    expect(Object.keys(p.rows[0])).toContain("customer");
  });

  const cases: [string, string[], RegExp][] = [
    [
      "a URL that is not PostgreSQL's",
      ["--url", "mysql://shop@localhost/shop", "--orders", "shop.lines", ...maps],
      /PostgreSQL URL/,
    ],
    [
      "a socket nobody listens on",
      ["--url", "postgresql:///postgres?host=/nonexistent-dir&password=hunter2", "--orders", "shop.lines", ...maps],
      /cannot reach the warehouse/,
    ],
    ["wrong credentials", ["--url", "", "--orders", "shop.lines", ...maps], /refused the credentials/],
    ["a missing table", ["--url", "", "--orders", "shop.nope", ...maps], /no such table/],
    [
      "a missing mapped column",
      ["--url", "", "--orders", "shop.lines", ...maps, "--map", "customer=cust_id"],
      /"cust_id" mapped to customer is not in shop\.lines/,
    ],
    ["a table with no rows", ["--url", "", "--orders", "shop.empty", ...maps], /shop\.empty has no rows/],
  ];

  it.each(cases)("refuses %s in one line and changes no SQLite table", (_what, args, message) => {
    const t = tempDb();
    try {
      // a data set already there: the refusal must leave it, the active choice and every other table as they were
      expect(cli(["import", fixture("context-shop.csv"), "--db", t.path]).code).toBe(0);
      const filled = args.map((a, i) =>
        a === "" && args[i - 1] === "--url"
          ? _what === "wrong credentials"
            ? pg.url.replace("user=postgres", "user=reader") + "&password=wrong-hunter2"
            : url
          : a,
      );
      const before = everyTable(t.db);
      const r = cli(["warehouse", "add", ...filled, "--db", t.path, "--json"]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/hunter2/);
      expect(everyTable(t.db)).toEqual(before);
    } finally {
      t.cleanup();
    }
  });
});
