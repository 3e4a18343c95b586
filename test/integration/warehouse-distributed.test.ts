import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previousScope } from "~/analytics/facts";
import {
  boundsQuery,
  cohortsQuery,
  concentrationQuery,
  countriesQuery,
  kpisQuery,
  monthlyQuery,
  mostReturnedQuery,
  productsQuery,
  seasonalityQuery,
  secondPurchaseQuery,
  warehouseScope,
} from "~/analytics/warehouse-sql";
import { Warehouse } from "~/db/warehouse.server";
import { armStatsQuery, outcomesQuery } from "~/experiments/warehouse-sql";
import { cleanReportQuery, pageQuery } from "~/ingest/warehouse-sql";
import { customerFactsQuery } from "~/ingest/warehouse-customers-sql";
import { summariesQuery } from "~/planning/warehouse-sql";
import {
  customerOrdersQuery,
  customersAsOfQuery,
  personaAssignmentQuery,
  personaFeaturesQuery,
  personaSampleQuery,
} from "~/segments/warehouse-sql";
import type { WarehouseQuery, WarehouseSource } from "~/types/warehouse";
import { fixture } from "../support/db";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { ONLINE_RETAIL_TABLE, loadCsvTable } from "../support/warehouse-load";

// Issue 17, distribution: every builder's query runs unchanged on a table partitioned by hash of the customer column
// (PostgreSQL's declarative partitioning, which Citus' create_distributed_table mirrors), and no window function
// crosses customers unless the rows were first grouped by customer.

const missing = postgresMissing();
if (missing) console.warn(missing);

/** Every warehouse figure's query, by name, over a source (the arguments are any valid ones). */
function everyQuery(source: WarehouseSource): Record<string, WarehouseQuery<unknown>> {
  const scope = warehouseScope({ firstDay: 14975, lastDay: 15340, countries: ["United Kingdom"] }, {});
  const country = warehouseScope(
    { firstDay: 14975, lastDay: 15340, countries: ["United Kingdom"] },
    {
      country: "United Kingdom",
    },
  );
  return {
    cleanReport: cleanReportQuery(source),
    bounds: boundsQuery(source),
    kpis: kpisQuery(source, scope),
    monthly: monthlyQuery(source, country),
    cohorts: cohortsQuery(source, country),
    secondPurchase: secondPurchaseQuery(source, scope),
    countries: countriesQuery(source, scope),
    products: productsQuery(source, scope),
    mostReturned: mostReturnedQuery(source, scope),
    seasonality: seasonalityQuery(source, scope),
    concentration: concentrationQuery(source, scope),
    customersAsOf: customersAsOfQuery(source, 15300),
    personaSample: personaSampleQuery(source, 15300, 42, 1000),
    personaFeatures: personaFeaturesQuery(source, 15300),
    personaAssignment: personaAssignmentQuery(source, 15300, { customers: 2, mean: [1, 1, 1], sd: [1, 1, 1] }, [
      [0, 0, 0],
      [1, 1, 1],
    ]),
    outcomes: outcomesQuery(source, ["10001", "10002"], 15300, 30),
    armStats: armStatsQuery(
      source,
      ["Control", "A"],
      [
        { customerId: "10001", arm: 0 },
        { customerId: "10002", arm: 1 },
      ],
      15300,
      30,
    ),
    summaries: summariesQuery(source, 15300),
    customerFacts: customerFactsQuery(source),
    customerOrders: customerOrdersQuery(source, "10001"),
  };
}

/** The pages' statements (pageQuery): every figure of a page over one cleaning pass. */
function everyPage(source: WarehouseSource): Record<string, WarehouseQuery<unknown>> {
  const scope = warehouseScope({ firstDay: 14975, lastDay: 15340, countries: ["United Kingdom"] }, {});
  const figures = everyQuery(source);
  const {
    cleanReport: _r,
    bounds: _b,
    customersAsOf: _c,
    outcomes: _o,
    armStats: _a,
    summaries: _s,
    ...rest
  } = figures;
  const pageFigures = Object.fromEntries(Object.entries(rest).filter(([, q]) => q.figure));
  return {
    overviewPage: pageQuery(source, { ...pageFigures, previous: kpisQuery(source, previousScope(scope)) }),
    revenuePage: pageQuery(source, {
      countries: countriesQuery(source, scope),
      products: productsQuery(source, scope),
      mostReturned: mostReturnedQuery(source, scope, 10),
      seasonality: seasonalityQuery(source, scope),
    }),
  };
}

const source: WarehouseSource = ONLINE_RETAIL_TABLE("part.lines").columns.reduce(
  (s, c) => ({ ...s, map: { ...s.map, [c.field!]: c.name } }),
  { table: "part.lines", map: {} } as WarehouseSource,
);

/** The windows of a query: each OVER (…) or WINDOW name AS (…) clause's definition. */
function windows(text: string): string[] {
  return [...text.matchAll(/\bOVER\s*\(([^)]*)\)|\bWINDOW\s+\w+\s+AS\s*\(([^)]*)\)/gi)].map((m) => m[1] ?? m[2]);
}

describe("Citus-readiness of the SQL text", () => {
  it("every window function is partitioned by customer, except rankings taken after a GROUP BY customer", () => {
    // concentration ranks customers' totals: its window reads `per`, one row per customer (GROUP BY customer_id)
    const rankedAfterGroupBy = new Set(["concentration", "overviewPage"]);
    for (const [name, q] of Object.entries({ ...everyQuery(source), ...everyPage(source) })) {
      for (const w of windows(q.text)) {
        if (rankedAfterGroupBy.has(name) && !/PARTITION BY/i.test(w)) {
          expect(q.text, name).toMatch(/per AS \([\s\S]*GROUP BY o\.customer_id\s*\)/);
          continue;
        }
        expect(w, `${name}: ${w}`).toMatch(/PARTITION BY\s+\w+\.customer_id\b/i);
      }
    }
  });
});

describe.skipIf(missing !== null)("every warehouse query on a table partitioned by hash of customer_id", () => {
  let pg: TestCluster;
  let wh: Warehouse;
  beforeAll(() => {
    pg = startCluster();
    const flat = loadCsvTable(pg, fixture("context-shop.csv"), ONLINE_RETAIL_TABLE("flat.lines"));
    const columns = ONLINE_RETAIL_TABLE("part.lines")
      .columns.map((c) => `"${c.name}" ${c.type}`)
      .join(", ");
    const names = Object.values(flat.map)
      .map((c) => `"${c}"`)
      .join(", ");
    pg.psql(`CREATE SCHEMA part;
CREATE TABLE part.lines (${columns}) PARTITION BY HASH (buyer);
${[0, 1, 2, 3].map((r) => `CREATE TABLE part.lines_${r} PARTITION OF part.lines FOR VALUES WITH (MODULUS 4, REMAINDER ${r});`).join("\n")}
INSERT INTO part.lines (${names}) SELECT ${names} FROM flat.lines;
ANALYZE part.lines;`);
    wh = new Warehouse(pg.url);
  });
  afterAll(async () => {
    await wh?.close();
    pg?.stop();
  });

  it("the table is partitioned into 4 hash partitions holding every line", () => {
    expect(pg.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'part.lines'::regclass").trim()).toBe("4");
    expect(pg.psql("SELECT count(*) FROM part.lines").trim()).toBe(pg.psql("SELECT count(*) FROM flat.lines").trim());
  });

  it("EXPLAIN succeeds for every builder's query, and each query runs and reads its rows", async () => {
    const queries = { ...everyQuery(source), ...everyPage(source) };
    expect(Object.keys(queries).length).toBeGreaterThanOrEqual(20);
    for (const [name, q] of Object.entries(queries)) {
      const plan = await wh.run({ text: `EXPLAIN ${q.text}`, values: q.values, read: (rows) => rows });
      // the plan reads the partitions (the parent table holds no rows of its own)
      expect(JSON.stringify(plan), name).toMatch(/lines_[0-3]/);
      await expect(wh.run(q), name).resolves.toBeDefined();
    }
  });
});
