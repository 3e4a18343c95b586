import { cleanCtes, num } from "~/ingest/warehouse-sql";
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
