import { cleanCtes, num } from "~/ingest/warehouse-sql";
import type { WarehouseQuery, WarehouseSource } from "~/types/warehouse";
import type { CustomerSummary } from "./summaries";

// The CLV summaries of a warehouse data set (issue 17), by summaries.ts' conventions (FHL 2005): purchases on the same
// day are one purchase; x = repeat purchase days up to the calibration end, t_x and T in weeks, m = mean value of the
// repeat days, holdout = purchase days after it. The SQL groups by customer and day, then by customer (Citus: on each
// shard); the likelihoods stay in clv.ts.

export function summariesQuery(source: WarehouseSource, calibrationEnd: number): WarehouseQuery<CustomerSummary[]> {
  return {
    text: `WITH ${cleanCtes(source)},
days AS (
  SELECT o.customer_id, o.day, o.month, sum(o.amount) AS value
  FROM wh_orders AS o WHERE o.kind = 'sale' AND o.customer_id IS NOT NULL
  GROUP BY o.customer_id, o.day, o.month
),
per AS (
  SELECT d.customer_id, min(d.day) AS first_day,
    max(d.day) FILTER (WHERE d.day <= $1) AS last_day,
    count(*) FILTER (WHERE d.day <= $1) AS days_in,
    count(*) FILTER (WHERE d.day > $1) AS holdout,
    coalesce(sum(d.value) FILTER (WHERE d.day <= $1), 0) AS revenue,
    count(DISTINCT d.month) FILTER (WHERE d.day <= $1) AS months,
    (array_agg(d.value ORDER BY d.day))[1] AS first_value
  FROM days AS d GROUP BY d.customer_id
)
SELECT p.* FROM per AS p
WHERE p.first_day <= $1
ORDER BY p.customer_id COLLATE "C"`,
    values: [calibrationEnd],
    read: (rows) =>
      rows.map((r, index) => {
        const first = num(r.first_day);
        const x = num(r.days_in) - 1;
        const firstValue = num(r.first_value) / 1000;
        const revenue = num(r.revenue) / 1000;
        return {
          index,
          customerId: String(r.customer_id),
          x,
          tx: (num(r.last_day) - first) / 7,
          T: (calibrationEnd - first) / 7,
          m: x ? (num(r.revenue) - num(r.first_value)) / 1000 / x : 0,
          firstValue,
          revenue,
          holdout: num(r.holdout),
          activeMonths: num(r.months),
          orders: num(r.days_in),
        };
      }),
  };
}
