import { cleanCtes, hasInvoice, num } from "~/ingest/warehouse-sql";
import type { WarehouseQuery, WarehouseRow, WarehouseSource } from "~/types/warehouse";
import type { RfmInput } from "./rfm";

// RFM inputs of a warehouse data set as of any day T (issue 17), the same figures as the back-test's rfmAsOf and the
// import's customer_rfm: recency = T − the last sale order's day, frequency = sale orders up to T, monetary = sales
// net of returns up to T, floored at 0 (rfm.ts netSpend), in currency units. The SQL groups by customer only (Citus:
// runs on each shard); scoring (quintiles, segments) stays in rfm.ts, fed with these rows.

export type AsOfInput = RfmInput & { country: string | null };

const AS_OF_SQL = (source: WarehouseSource, extra = "") => `WITH ${cleanCtes(source)},
as_of AS (
  SELECT o.customer_id, max(o.day) FILTER (WHERE o.kind = 'sale') AS last_day,
    count(*) FILTER (WHERE o.kind = 'sale') AS frequency,
    coalesce(sum(o.amount) FILTER (WHERE o.kind = 'sale'), 0) AS spend,
    coalesce(sum(o.amount) FILTER (WHERE o.kind = 'return'), 0) AS returned, min(o.customer_country) AS country
  FROM wh_orders AS o WHERE o.first_day IS NOT NULL AND o.day <= $1
  GROUP BY o.customer_id HAVING count(*) FILTER (WHERE o.kind = 'sale') > 0
)
SELECT a.customer_id, a.country, $1 - a.last_day AS recency, a.frequency, a.spend, a.returned
FROM as_of AS a${extra}`;

const readAsOf = (rows: WarehouseRow[]): AsOfInput[] =>
  rows.map((r) => ({
    customerId: String(r.customer_id),
    country: r.country === null ? null : String(r.country),
    recency: num(r.recency),
    frequency: num(r.frequency),
    // rfm.ts netSpend over thousandths, then currency units (as backtest.ts rfmAsOf)
    monetary: Math.max(0, num(r.spend) - Math.abs(num(r.returned))) / 1000,
  }));

/** Every customer with a sale on or before day T, sorted by id as the in-memory engine sorts them (code units). */
export function customersAsOfQuery(source: WarehouseSource, day: number): WarehouseQuery<AsOfInput[]> {
  return { text: AS_OF_SQL(source, `\nORDER BY a.customer_id COLLATE "C"`), values: [day], read: readAsOf };
}

/** The persona sample (issue 17): customers with sales by day T fed to k-means on a warehouse data set. */
export const PERSONA_SAMPLE_LIMIT = 100_000;

/**
 * A seeded sample of at most `limit` customers as of day T (the same rows as customersAsOfQuery): the customers whose
 * md5(seed:customer_id) sorts first, so the same seed gives the same sample on any server and any shard layout.
 */
export function personaSampleQuery(
  source: WarehouseSource,
  day: number,
  seed: number,
  limit = PERSONA_SAMPLE_LIMIT,
): WarehouseQuery<AsOfInput[]> {
  return {
    text: AS_OF_SQL(source, `\nORDER BY md5($2::text || ':' || a.customer_id), a.customer_id COLLATE "C"\nLIMIT $3`),
    values: [day, String(seed), limit],
    read: (rows) => readAsOf(rows).sort((a, b) => (a.customerId < b.customerId ? -1 : 1)),
  };
}

/** Standardisation of the persona features (kmeans.ts standardise: mean and population sd, an sd of 0 read as 1). */
export type FeatureScale = { customers: number; mean: number[]; sd: number[] };

const FEATURES = (a: string) =>
  [
    `ln(1 + ($1 - ${a}.last_day)::float8)`,
    `ln(1 + ${a}.frequency::float8)`,
    `ln(1 + (greatest(0, ${a}.spend - abs(${a}.returned)) / 1000.0)::float8)`,
  ] as const;

/**
 * The persona features' mean and sd over every customer as of day T (rfm.ts personaFeatures: log1p of recency,
 * frequency and net monetary): aggregates over the per-customer rows, so a warehouse data set standardises over all
 * its customers while k-means runs on the sample.
 */
export function personaFeaturesQuery(source: WarehouseSource, day: number): WarehouseQuery<FeatureScale> {
  const f = FEATURES("a");
  return {
    text: `${AS_OF_SQL(source).replace(/\nSELECT a\.customer_id[\s\S]*$/, "")}
SELECT count(*) AS customers, ${f.map((x, j) => `avg(${x}) AS mean${j}, stddev_pop(${x}) AS sd${j}`).join(", ")}
FROM as_of AS a`,
    values: [day],
    read: (rows) => {
      const r = rows[0];
      return {
        customers: num(r.customers),
        mean: [0, 1, 2].map((j) => num(r[`mean${j}`])),
        sd: [0, 1, 2].map((j) => num(r[`sd${j}`]) || 1),
      };
    },
  };
}

/**
 * Every customer as of day T assigned to the nearest centroid (kmeans.ts nearest: squared Euclidean distance of the
 * standardised features, the lower index on a tie), counted per cluster with their net spend in currency units.
 */
export function personaAssignmentQuery(
  source: WarehouseSource,
  day: number,
  scale: FeatureScale,
  centroids: number[][],
): WarehouseQuery<{ customers: number; revenue: number }[]> {
  const f = FEATURES("a");
  const z = f.map((x, j) => `((${x}) - $${2 + j}::float8) / $${5 + j}::float8`);
  return {
    text: `${AS_OF_SQL(source).replace(/\nSELECT a\.customer_id[\s\S]*$/, "")},
per AS (SELECT a.spend - abs(a.returned) AS net, ${z.map((e, j) => `${e} AS z${j}`).join(", ")} FROM as_of AS a),
labelled AS (
  SELECT p.net, (
    SELECT c.k FROM unnest($8::float8[], $9::float8[], $10::float8[]) WITH ORDINALITY AS c(c0, c1, c2, k)
    ORDER BY (p.z0 - c.c0) ^ 2 + (p.z1 - c.c1) ^ 2 + (p.z2 - c.c2) ^ 2, c.k LIMIT 1
  ) - 1 AS cluster
  FROM per AS p
)
SELECT cluster, count(*) AS customers, sum(greatest(0, net)) AS revenue FROM labelled GROUP BY cluster`,
    values: [
      day,
      ...scale.mean,
      ...scale.sd,
      centroids.map((c) => c[0]),
      centroids.map((c) => c[1]),
      centroids.map((c) => c[2]),
    ],
    read: (rows) => {
      const by = new Map(rows.map((r) => [num(r.cluster), r]));
      return centroids.map((_, k) => ({
        customers: num(by.get(k)?.customers),
        revenue: num(by.get(k)?.revenue) / 1000,
      }));
    },
  };
}

/** An order or return on the customer page (amount in thousandths as read; the page shows currency units). */
export type CustomerOrderRow = {
  invoice: string;
  kind: string;
  at: string;
  lines: number;
  amount: number;
  country: string | null;
};

/**
 * One customer's orders and returns in time order (the customer page), as the import stores them (segments/store
 * customerOrders): the invoice, or without an invoice column the import's order name "customer@time"; the order's
 * time, kind, lines, amount in thousandths and country. Cleans only the invoices with a line of that customer, not
 * the whole table.
 */
export function customerOrdersQuery(source: WarehouseSource, customerId: string): WarehouseQuery<CustomerOrderRow[]> {
  const at = `to_char(o.at, 'YYYY-MM-DD"T"HH24:MI:SS')`;
  return {
    text: `WITH ${cleanCtes(source, { onlyCustomer: "$1" })}
SELECT ${hasInvoice(source) ? "o.order_key" : `o.customer_id || '@' || ${at}`} AS invoice, o.kind, ${at} AS at,
  o.lines, o.amount, o.country
FROM wh_orders AS o WHERE o.customer_id = $1
ORDER BY o.at, o.order_key COLLATE "C", o.kind DESC`,
    values: [customerId],
    read: (rows) =>
      rows.map((r) => ({
        invoice: String(r.invoice),
        kind: String(r.kind),
        at: String(r.at),
        lines: num(r.lines),
        amount: num(r.amount),
        country: r.country === null ? null : String(r.country),
      })),
  };
}
