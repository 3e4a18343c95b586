import { cleanCtes, num } from "~/ingest/warehouse-sql";
import type { WarehouseQuery, WarehouseSource } from "~/types/warehouse";
import type { WindowOutcome } from "./backtest";
import type { ArmStats } from "./verdict";

// Experiment outcomes of a warehouse data set (issue 17), by the definitions of backtest.ts outcomesAfter (PRODUCT.md
// §4): over days T+1 … min(T+W, through) converted = a sale order, revenue = Σ sales, orders = sale orders, refunded =
// Σ |returns|; preSpend = sales over days T−W+1 … T. The customers come as a parameter array (the audience or the
// assignment lives in SQLite); the SQL groups by customer first (Citus: on each shard), then by arm.

const WINDOW_SQL = (source: WarehouseSource) => `WITH ${cleanCtes(source)},
window_sums AS (
  SELECT o.customer_id,
    bool_or(o.kind = 'sale' AND o.day > $2) AS converted,
    coalesce(sum(o.amount) FILTER (WHERE o.kind = 'sale' AND o.day > $2), 0) AS revenue,
    count(*) FILTER (WHERE o.kind = 'sale' AND o.day > $2) AS orders,
    coalesce(sum(-o.amount) FILTER (WHERE o.kind = 'return' AND o.day > $2), 0) AS refunded,
    coalesce(sum(o.amount) FILTER (WHERE o.kind = 'sale' AND o.day <= $2), 0) AS pre
  FROM wh_orders AS o
  WHERE o.customer_id = ANY($1::text[]) AND o.day > $2 - $3 AND o.day <= least($2 + $3, $4)
  GROUP BY o.customer_id
)`;

/** outcomesAfter for the given customers (in their order; a customer without orders in the window counts as zeros). */
export function outcomesQuery(
  source: WarehouseSource,
  customerIds: string[],
  t: number,
  windowDays: number,
  through = t + windowDays,
): WarehouseQuery<WindowOutcome[]> {
  return {
    text: `${WINDOW_SQL(source)}\nSELECT * FROM window_sums`,
    values: [customerIds, t, windowDays, through],
    read: (rows) => {
      const by = new Map(rows.map((r) => [String(r.customer_id), r]));
      return customerIds.map((id) => {
        const r = by.get(id);
        return {
          converted: r?.converted === true,
          revenue: num(r?.revenue) / 1000,
          orders: num(r?.orders),
          refunded: num(r?.refunded) / 1000,
          preSpend: num(r?.pre) / 1000,
        };
      });
    },
  };
}

/**
 * Per-arm sufficient statistics of an assignment's outcomes (verdict.ts armStatsFromOutcomes: users, conversions,
 * Σ revenue and Σ revenue², Σ orders and Σ orders², Σ revenue·orders, Σ refunded, Σ refunded², Σ refunded·revenue),
 * money in currency units; `arms[k]` names arm k. Sums are exact in the warehouse (numeric thousandths).
 */
export function armStatsQuery(
  source: WarehouseSource,
  arms: string[],
  assignment: { customerId: string; arm: number }[],
  t: number,
  windowDays: number,
  through = t + windowDays,
): WarehouseQuery<(ArmStats & { preSpendSum: number })[]> {
  return {
    text: `${WINDOW_SQL(source)},
assigned AS (SELECT * FROM unnest($1::text[], $5::int[]) AS a(customer_id, arm)),
per AS (
  -- one GROUP BY customer over the assignment and the window's sums (no join: nothing for a planner to misjudge)
  SELECT max(x.arm) AS arm, coalesce(bool_or(x.converted), false) AS converted, coalesce(sum(x.revenue), 0) AS rev,
    coalesce(sum(x.orders), 0) AS ord, coalesce(sum(x.refunded), 0) AS ref, coalesce(sum(x.pre), 0) AS pre
  FROM (
    SELECT a.customer_id, a.arm, NULL::boolean AS converted, NULL::numeric AS revenue, NULL::bigint AS orders,
      NULL::numeric AS refunded, NULL::numeric AS pre
    FROM assigned AS a
    UNION ALL
    SELECT w.customer_id, NULL, w.converted, w.revenue, w.orders, w.refunded, w.pre FROM window_sums AS w
  ) AS x
  GROUP BY x.customer_id HAVING max(x.arm) IS NOT NULL
)
SELECT arm, count(*) AS users, count(*) FILTER (WHERE converted) AS conversions,
  sum(rev) AS revenue, sum(rev * rev) AS revenue2, sum(ord) AS orders, sum(ord * ord) AS orders2,
  sum(rev * ord) AS revenue_orders, sum(ref) AS refunded, sum(ref * ref) AS refunded2, sum(ref * rev) AS refunded_revenue,
  sum(pre) AS pre
FROM per GROUP BY arm`,
    values: [assignment.map((a) => a.customerId), t, windowDays, through, assignment.map((a) => a.arm)],
    read: (rows) => {
      const by = new Map(rows.map((r) => [num(r.arm), r]));
      return arms.map((name, k) => {
        const r = by.get(k);
        return {
          name,
          users: num(r?.users),
          conversions: num(r?.conversions),
          revenueSum: num(r?.revenue) / 1000,
          revenueSquares: num(r?.revenue2) / 1e6,
          orders: num(r?.orders),
          refunded: num(r?.refunded) / 1000,
          ordersSquares: num(r?.orders2),
          revenueOrders: num(r?.revenue_orders) / 1000,
          refundedSquares: num(r?.refunded2) / 1e6,
          refundedRevenue: num(r?.refunded_revenue) / 1e6,
          preSpendSum: num(r?.pre) / 1000,
        };
      });
    },
  };
}
