import { SALE, inScope, monthCoverage, monthOf, monthText, type Coverage, type Facts, type Scope } from "./facts";
import { money } from "./money";

/** A month's figures and how much of it the scope covers (days, daysInMonth, partial: issue 14). */
export type MonthRow = {
  month: string;
  revenue: number;
  orders: number;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
} & Coverage;

/**
 * Per month from the scope's first to its last month (months without sales included, as zeros): revenue = sales-line
 * amounts, orders = sales invoices, customers = distinct customers with a sale, newCustomers = those whose first
 * purchase in the whole data set falls in that month (issue #3 definitions).
 */
export function monthly(facts: Facts, scope: Scope): MonthRow[] {
  if (scope.fromDay > scope.toDay) return [];
  const first = monthOf(scope.fromDay);
  const last = monthOf(scope.toDay);
  const rows = Array.from({ length: last - first + 1 }, () => ({
    revenue: 0,
    orders: 0,
    customers: new Set<number>(),
    newCustomers: new Set<number>(),
  }));
  const o = facts.orders;
  for (let i = 0; i < o.n; i++) {
    if (o.kind[i] !== SALE || !inScope(facts, scope, i)) continue;
    const m = o.month[i] - first;
    const row = rows[m];
    row.revenue += o.amount[i];
    row.orders++;
    const c = o.customer[i];
    if (c >= 0) {
      row.customers.add(c);
      if (facts.customers.firstSaleMonth[c] - first === m) row.newCustomers.add(c);
    }
  }
  return rows.map((r, k) => ({
    month: monthText(first + k),
    revenue: money(r.revenue),
    orders: r.orders,
    customers: r.customers.size,
    newCustomers: r.newCustomers.size,
    returningCustomers: r.customers.size - r.newCustomers.size,
    ...monthCoverage(scope, first + k),
  }));
}
