import type { CustomerFacts } from "~/types/import";
import type { WarehouseQuery, WarehouseSource } from "~/types/warehouse";
import { cleanCtes, num } from "./warehouse-sql";

// The customers table of a warehouse data set (issue 17), by the import's rule (pipeline.ts customerFacts): every
// customer with a sale order; first and last sale, sale orders, their lines and value, then their return orders and
// the returns' absolute value; the country of their first sale order. Stored in SQLite at connection and at each
// re-read, so that audiences by country, the members table and the customer page read it as an import's. Groups by
// customer only (Citus: on each shard).

const AT = `'YYYY-MM-DD"T"HH24:MI:SS'`;

/** One row per customer with a sale, sorted by id in code units as the in-memory engine sorts; money in thousandths. */
export function customerFactsQuery(source: WarehouseSource): WarehouseQuery<CustomerFacts[]> {
  return {
    text: `WITH ${cleanCtes(source)}
SELECT o.customer_id, min(o.customer_country) AS country,
  to_char(min(o.at) FILTER (WHERE o.kind = 'sale'), ${AT}) AS first_at,
  to_char(max(o.at) FILTER (WHERE o.kind = 'sale'), ${AT}) AS last_at,
  count(*) FILTER (WHERE o.kind = 'sale') AS orders,
  coalesce(sum(o.lines) FILTER (WHERE o.kind = 'sale'), 0) AS sales_lines,
  coalesce(sum(o.amount) FILTER (WHERE o.kind = 'sale'), 0) AS revenue,
  count(*) FILTER (WHERE o.kind = 'return') AS return_orders,
  coalesce(sum(abs(o.amount)) FILTER (WHERE o.kind = 'return'), 0) AS returns
FROM wh_orders AS o WHERE o.first_day IS NOT NULL
GROUP BY o.customer_id
ORDER BY o.customer_id COLLATE "C"`,
    values: [],
    read: (rows) =>
      rows.map((r) => ({
        customerId: String(r.customer_id),
        country: r.country === null ? null : String(r.country),
        firstAt: String(r.first_at),
        lastAt: String(r.last_at),
        orders: num(r.orders),
        salesLines: num(r.sales_lines),
        revenue: num(r.revenue),
        returnOrders: num(r.return_orders),
        returns: num(r.returns),
      })),
  };
}
