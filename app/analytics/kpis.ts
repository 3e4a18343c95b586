import { RETURN, SALE, inScope, previousScope, type Facts, type Scope } from "./facts";
import { money, share } from "./money";

export type Kpis = {
  /** Gross sales in the period. */
  revenue: number;
  /** Sales minus the absolute value of cancellations in the period (issue 14): may be negative when refunds exceed sales. */
  netRevenue: number;
  orders: number;
  customers: number;
  averageOrderValue: number | null;
  /** Customers with two or more orders in the period ÷ customers with an order in it. */
  repeatCustomerRate: number | null;
  /** Cancelled value ÷ sales value in the period (PRODUCT.md §4 refund rate). */
  refundRate: number | null;
};

export type KpiReport = {
  period: { from: string; to: string };
  current: Kpis;
  previous: Kpis | null;
  previousPeriod: { from: string; to: string };
};

/** The overview's KPI cards for a scope (revenue and orders over all sales; customer figures over customer sales). */
export function kpisFor(facts: Facts, scope: Scope): Kpis & { hasData: boolean } {
  const o = facts.orders;
  let revenue = 0;
  let orders = 0;
  let cancelled = 0;
  let any = false;
  const perCustomer = new Map<number, number>();
  for (let i = 0; i < o.n; i++) {
    if (!inScope(facts, scope, i)) continue;
    any = true;
    if (o.kind[i] === SALE) {
      revenue += o.amount[i];
      orders++;
      const c = o.customer[i];
      if (c >= 0) perCustomer.set(c, (perCustomer.get(c) ?? 0) + 1);
    } else if (o.kind[i] === RETURN) cancelled -= o.amount[i];
  }
  let repeaters = 0;
  for (const count of perCustomer.values()) if (count >= 2) repeaters++;
  return {
    hasData: any,
    revenue: money(revenue),
    netRevenue: money(revenue - cancelled),
    orders,
    customers: perCustomer.size,
    averageOrderValue: orders ? money(revenue / orders) : null,
    repeatCustomerRate: share(repeaters, perCustomer.size),
    refundRate: share(cancelled, revenue),
  };
}

export function kpiReport(facts: Facts, scope: Scope, days: (day: number) => string): KpiReport {
  const { hasData: _current, ...current } = kpisFor(facts, scope);
  const prevScope = previousScope(scope);
  const { hasData, ...previous } = kpisFor(facts, prevScope);
  return {
    period: { from: days(scope.fromDay), to: days(scope.toDay) },
    current,
    previous: hasData ? previous : null,
    previousPeriod: { from: days(prevScope.fromDay), to: days(prevScope.toDay) },
  };
}
