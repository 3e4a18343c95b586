import type { Db } from "~/db/db.server";

export type MonthRow = { month: string; revenue: number; orders: number; customers: number };

/** Revenue (thousandths), orders and distinct customers per invoice month, from the stored sales orders. */
export function monthlySales(db: Db, datasetId: number): MonthRow[] {
  return db.$client
    .prepare(
      `SELECT invoice_month AS month, SUM(amount) AS revenue, COUNT(*) AS orders, COUNT(DISTINCT customer_id) AS customers
         FROM orders WHERE dataset_id = ? AND kind = 'sale' GROUP BY invoice_month ORDER BY invoice_month`,
    )
    .all(datasetId) as MonthRow[];
}
