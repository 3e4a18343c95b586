import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { cohorts, secondPurchase } from "~/analytics/cohorts";
import { scopeOf } from "~/analytics/facts";
import { loadFacts } from "~/analytics/facts.server";
import { revenueConcentration } from "~/analytics/insights";
import { buildReport, revenueReport } from "~/analytics/reports";
import { warehouseReport, warehouseRevenueReport } from "~/analytics/warehouse.server";
import { kpisFor } from "~/analytics/kpis";
import { monthly } from "~/analytics/monthly";
import { countries, mostReturned, productPareto, seasonality } from "~/analytics/revenue";
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
import { activeDatasetId } from "~/db/datasets.server";
import { openDb } from "~/db/db.server";
import { Warehouse } from "~/db/warehouse.server";
import { outcomesAfter, rfmAsOf } from "~/experiments/backtest";
import { armStatsFromOutcomes } from "~/experiments/verdict";
import { armStatsQuery } from "~/experiments/warehouse-sql";
import { importFile } from "~/ingest/import.server";
import { cleanReportQuery } from "~/ingest/warehouse-sql";
import { summarise } from "~/planning/summaries";
import { summariesQuery } from "~/planning/warehouse-sql";
import { customersAsOfQuery, personaFeaturesQuery } from "~/segments/warehouse-sql";
import type { WarehouseQuery } from "~/types/warehouse";
import { writeDemoCsv } from "../seed/generate";
import { postgresMissing, startCluster } from "../test/support/postgres";

// npm run bench (warehouse, issue 17): a generated shop (BENCH_WAREHOUSE_LINES, default 5,000,000 lines) imported into
// SQLite and loaded into a PostgreSQL table of Online Retail layout; each figure timed in PostgreSQL (its SQL builder,
// the cleaning policy included, from the raw table) beside the in-memory engine (the same figure over loaded Facts).
// Skipped with a message where PostgreSQL is not installed.

const missing = postgresMissing();
if (missing) {
  console.log(`warehouse bench skipped: ${missing}`);
  process.exit(0);
}
const LINES = Number(process.env.BENCH_WAREHOUSE_LINES) || 5_000_000;
const dir = mkdtempSync(path.join(tmpdir(), "cl-bench-wh-"));
const pg = startCluster();
const seconds = (t0: number) => (performance.now() - t0) / 1000;
try {
  const csv = path.join(dir, "shop.csv");
  let t0 = performance.now();
  await writeDemoCsv(csv, { lines: LINES, seed: 42 });
  console.log(`generated ${LINES.toLocaleString("en-GB")} lines in ${seconds(t0).toFixed(1)} s`);

  t0 = performance.now();
  // raw CSV into a staging table, then typed columns in another layout (as a warehouse keeps them)
  pg.psql(`SET client_encoding = 'LATIN1';
CREATE TABLE staging (invoice text, code text, description text, quantity text, date text, price text, customer text, country text);
\\copy staging FROM '${csv}' WITH (FORMAT csv, HEADER true)
CREATE SCHEMA shop;
CREATE TABLE shop.lines (market text, placed_at timestamp, buyer text, order_no text, sku text, units integer, unit_price numeric, item text);
INSERT INTO shop.lines SELECT country, to_timestamp(date, 'MM/DD/YYYY HH24:MI')::timestamp, customer, invoice, code,
  quantity::integer, price::numeric, description FROM staging;
DROP TABLE staging;
VACUUM ANALYZE shop.lines;`);
  console.log(`loaded into PostgreSQL in ${seconds(t0).toFixed(1)} s`);
  const source = {
    table: "shop.lines",
    map: {
      country: "market",
      date: "placed_at",
      customer: "buyer",
      invoice: "order_no",
      product: "sku",
      quantity: "units",
      price: "unit_price",
      description: "item",
    },
  };

  t0 = performance.now();
  const db = openDb(path.join(dir, "bench.db"));
  await importFile(db, csv, {});
  const importSeconds = seconds(t0);
  t0 = performance.now();
  const facts = loadFacts(db, activeDatasetId(db)!);
  console.log(
    `imported into SQLite in ${importSeconds.toFixed(1)} s; facts loaded in ${seconds(t0).toFixed(1)} s (${facts.orders.n.toLocaleString("en-GB")} orders)`,
  );

  const wh = new Warehouse(pg.url, { statementTimeoutMs: 3_600_000 });
  const bounds = await wh.run(boundsQuery(source));
  const scope = scopeOf(facts, {});
  const ws = warehouseScope(bounds, {});
  const t = facts.lastDay - 30;
  const members = rfmAsOf(facts, t);
  const assignment = members.map((m, i) => ({ customerId: m.customerId, arm: i % 2 }));
  const calibrationEnd = Math.round(facts.firstDay + 0.75 * (facts.lastDay - facts.firstDay));

  const rows: [string, WarehouseQuery<unknown>, (() => unknown) | null][] = [
    ["cleaning report (import counts)", cleanReportQuery(source), null],
    ["KPIs", kpisQuery(source, ws), () => kpisFor(facts, scope)],
    ["monthly trend", monthlyQuery(source, ws), () => monthly(facts, scope)],
    ["cohorts", cohortsQuery(source, ws), () => cohorts(facts, scope)],
    ["time to second purchase", secondPurchaseQuery(source, ws), () => secondPurchase(facts, scope)],
    ["countries", countriesQuery(source, ws), () => countries(facts, scope)],
    ["products (Pareto)", productsQuery(source, ws), () => productPareto(facts, scope)],
    ["most returned", mostReturnedQuery(source, ws, 10), () => mostReturned(facts, scope, 10)],
    ["seasonality", seasonalityQuery(source, ws), () => seasonality(facts, scope)],
    ["revenue concentration", concentrationQuery(source, ws), () => revenueConcentration(facts, scope)],
    ["RFM inputs as of T", customersAsOfQuery(source, t), () => rfmAsOf({ ...facts }, t)],
    ["persona feature scale", personaFeaturesQuery(source, t), null],
    [
      "measured arms (W = 30, all customers)",
      armStatsQuery(source, ["Control", "Treatment"], assignment, t, 30),
      () =>
        armStatsFromOutcomes(
          ["Control", "Treatment"],
          outcomesAfter(
            facts,
            members.map((m) => m.index),
            t,
            30,
          ).map((o, i) => ({ ...o, arm: i % 2 })),
        ),
    ],
    ["CLV summaries", summariesQuery(source, calibrationEnd), () => summarise(facts, calibrationEnd)],
  ];
  console.log(
    `\nfigure                                   PostgreSQL   in memory   (${LINES.toLocaleString("en-GB")} lines)`,
  );
  for (const [name, query, memory] of rows) {
    t0 = performance.now();
    await wh.run(query);
    const sql = seconds(t0);
    let mem: number | null = null;
    if (memory) {
      t0 = performance.now();
      memory();
      mem = seconds(t0);
    }
    console.log(
      `${name.padEnd(40)} ${`${sql.toFixed(2)} s`.padStart(10)}   ${mem === null ? "        —" : `${mem.toFixed(3)} s`.padStart(9)}`,
    );
  }
  // a page as the app serves it: every figure of the page (the warehouse: its queries on the pool's 2 connections)
  const pages: [string, () => Promise<unknown>, () => unknown][] = [
    [
      "page: overview (KPIs, trend, insights)",
      () => warehouseReport(wh, source, "overview", {}, null),
      () => buildReport(facts, "overview", {}),
    ],
    ["page: cohorts", () => warehouseReport(wh, source, "cohorts", {}, null), () => buildReport(facts, "cohorts", {})],
    ["page: revenue", () => warehouseRevenueReport(wh, source, {}), () => revenueReport(facts, {})],
  ];
  for (const [name, sql, memory] of pages) {
    t0 = performance.now();
    await sql();
    const pgSeconds = seconds(t0);
    t0 = performance.now();
    memory();
    console.log(
      `${name.padEnd(40)} ${`${pgSeconds.toFixed(2)} s`.padStart(10)}   ${`${seconds(t0).toFixed(3)} s`.padStart(9)}`,
    );
  }
  console.log(
    `(in memory: over Facts already loaded; its share of the import is ${importSeconds.toFixed(1)} s. PostgreSQL: each figure from the raw table, cleaning included, one backend.)`,
  );
  await wh.close();
  db.$client.close();
} finally {
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
