import { NON_MERCHANDISE_SQL, cleanedQuery, num } from "~/ingest/warehouse-sql";
import type { CleanedFigure, WarehouseQuery, WarehouseRow, WarehouseSource } from "~/types/warehouse";
import type { CohortRow, SecondPurchase } from "./cohorts";
import { monthCoverage, monthOf, monthText, scopeOf, type Filter, type Scope } from "./facts";
import type { Kpis } from "./kpis";
import { money, share } from "./money";
import type { MonthRow } from "./monthly";
import { WEEKDAYS, type CountryRow, type ProductPareto, type ReturnedProduct, type Seasonality } from "./revenue";

// The context figures of a warehouse data set (issue 17), one SQL builder per figure, each returning exactly what
// the in-memory function of the same name returns (monthly.ts, cohorts.ts, revenue.ts, kpis.ts): the SQL aggregates
// by customer and month (or product, country), the read step lays the rows out and rounds money as money.ts does.

/** What a warehouse data set spans: the in-memory Facts' firstDay, lastDay and countries. */
export type WarehouseBounds = { firstDay: number; lastDay: number; countries: string[] };

export function boundsQuery(source: WarehouseSource): WarehouseQuery<WarehouseBounds> {
  return cleanedQuery(source, {
    select: `SELECT (SELECT min(day) FROM wh_orders) AS first_day, (SELECT max(day) FROM wh_orders) AS last_day,
  (SELECT coalesce(array_agg(country ORDER BY country), '{}') FROM (SELECT DISTINCT country FROM wh_orders WHERE country IS NOT NULL) AS c) AS countries`,
    values: [],
    read: (rows) => {
      const r = rows[0];
      const empty = r.first_day === null;
      return {
        firstDay: empty ? 0 : num(r.first_day),
        lastDay: empty ? 0 : num(r.last_day),
        countries: (r.countries as string[]) ?? [],
      };
    },
  });
}

/** scopeOf (facts.ts) for a warehouse data set: dates clamped to the data, an unknown country matches nothing. */
export function warehouseScope(bounds: WarehouseBounds, filter: Filter): Scope {
  return scopeOf(bounds, filter);
}

/** The scope as parameters $1 (from day), $2 (to day), $3 (country or null), and the SQL test of an order. */
const scopeValues = (scope: Scope) => [scope.fromDay, scope.toDay, scope.countryName];
const IN_SCOPE = (o: string) => `${o}.day BETWEEN $1 AND $2 AND ($3::text IS NULL OR ${o}.country = $3)`;

export function monthlyQuery(source: WarehouseSource, scope: Scope): WarehouseQuery<MonthRow[]> {
  return cleanedQuery(source, {
    select: `SELECT o.month, sum(o.amount) AS revenue, count(*) AS orders, count(DISTINCT o.customer_id) AS customers,
  count(DISTINCT o.customer_id) FILTER (WHERE o.first_month = o.month) AS new_customers
FROM wh_orders AS o
WHERE o.kind = 'sale' AND ${IN_SCOPE("o")}
GROUP BY o.month`,
    values: scopeValues(scope),
    read: (rows) => {
      if (scope.fromDay > scope.toDay) return [];
      const byMonth = new Map(rows.map((r) => [num(r.month), r]));
      const out: MonthRow[] = [];
      for (let m = monthOf(scope.fromDay); m <= monthOf(scope.toDay); m++) {
        const r = byMonth.get(m);
        const customers = num(r?.customers);
        const newCustomers = num(r?.new_customers);
        out.push({
          month: monthText(m),
          revenue: money(num(r?.revenue)),
          orders: num(r?.orders),
          customers,
          newCustomers,
          returningCustomers: customers - newCustomers,
          ...monthCoverage(scope, m),
        });
      }
      return out;
    },
  });
}

/** Customers acquired in the scope: first sale within its dates, in its country (cohorts.ts acquiredInScope). */
const ACQUIRED = (c: string, country = "country") =>
  `${c}.first_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR ${c}.${country} = $3)`;

export function cohortsQuery(source: WarehouseSource, scope: Scope): WarehouseQuery<CohortRow[]> {
  return cleanedQuery(source, {
    select: `SELECT 'size' AS what, c.first_month AS cohort, NULL::int AS month, count(*) AS active, NULL::numeric AS revenue
FROM wh_customers AS c WHERE ${ACQUIRED("c")} GROUP BY c.first_month
UNION ALL
SELECT 'cell', o.first_month, o.month, count(DISTINCT o.customer_id), sum(o.amount)
FROM wh_orders AS o
WHERE o.kind = 'sale' AND o.day <= $2 AND ${ACQUIRED("o", "customer_country")}
GROUP BY o.first_month, o.month`,
    values: scopeValues(scope),
    read: (rows) => {
      if (scope.fromDay > scope.toDay) return [];
      const first = monthOf(scope.fromDay);
      const last = monthOf(scope.toDay);
      const out = Array.from({ length: last - first + 1 }, (_, m) => ({
        month: monthText(first + m),
        size: 0,
        active: new Array<number>(last - first - m + 1).fill(0),
        revenue: new Array<number>(last - first - m + 1).fill(0),
      }));
      for (const r of rows) {
        const row = out[num(r.cohort) - first];
        if (r.what === "size") row.size = num(r.active);
        else {
          const k = num(r.month) - num(r.cohort);
          row.active[k] = num(r.active);
          row.revenue[k] = num(r.revenue);
        }
      }
      return out.map((r) => ({ ...r, revenue: r.revenue.map(money) }));
    },
  });
}

/** cohorts.ts secondPurchase: per acquired customer the first and second sale order's days, counted by (first, gap). */
export function secondPurchaseQuery(
  source: WarehouseSource,
  scope: Scope,
  maxDays = 180,
): WarehouseQuery<SecondPurchase> {
  return cleanedQuery(source, {
    ctes: [
      `per AS (
  SELECT o.customer_id, (array_agg(o.day ORDER BY o.day))[1:2] AS days
  FROM wh_orders AS o
  WHERE o.kind = 'sale' AND o.day <= $2 AND ${ACQUIRED("o", "customer_country")}
  GROUP BY o.customer_id
)`,
    ],
    select: `SELECT days[1] AS first, least(days[2] - days[1], $4) AS gap, count(*) AS n FROM per GROUP BY 1, 2`,
    values: [...scopeValues(scope), maxDays + 1],
    read: (rows) => {
      const groups = rows.map((r) => ({
        first: num(r.first),
        gap: r.gap === null ? Infinity : num(r.gap),
        n: num(r.n),
      }));
      const curve = Array.from({ length: maxDays }, (_, k) => {
        const n = k + 1;
        let observed = 0;
        let again = 0;
        for (const g of groups) {
          if (g.first + n > scope.toDay) continue;
          observed += g.n;
          if (g.gap <= n) again += g.n;
        }
        return { days: n, share: share(again, observed), observed };
      });
      return {
        newCustomers: groups.reduce((s, g) => s + g.n, 0),
        curve,
        callouts: [7, 30, 90].filter((d) => d <= maxDays).map((d) => ({ days: d, share: curve[d - 1].share })),
      };
    },
  });
}

export function countriesQuery(source: WarehouseSource, scope: Scope): WarehouseQuery<CountryRow[]> {
  return cleanedQuery(source, {
    select: `SELECT o.country, sum(o.amount) AS revenue, count(*) AS orders, count(DISTINCT o.customer_id) AS customers
FROM wh_orders AS o WHERE o.kind = 'sale' AND ${IN_SCOPE("o")} GROUP BY o.country`,
    values: scopeValues(scope),
    read: (rows) => {
      const total = rows.reduce((s, r) => s + num(r.revenue), 0);
      return rows
        .map((r) => {
          const milli = num(r.revenue);
          const orders = num(r.orders);
          return {
            country: r.country === null ? "(unknown)" : String(r.country),
            revenue: money(milli),
            share: share(milli, total),
            customers: num(r.customers),
            orders,
            averageOrderValue: money(milli / orders),
            milli,
          };
        })
        .sort((a, b) => b.milli - a.milli || a.country.localeCompare(b.country))
        .map(({ milli: _m, ...row }) => row);
    },
  });
}

type ProductSums = {
  code: string;
  description: string | null;
  sales: number;
  returns: number;
  quantity: number;
  returnedQuantity: number;
  orders: number;
};

/** Per merchandise product (rule 7): sales and returns of lines whose order is in the scope (revenue.ts). */
const PRODUCT_SUMS: CleanedFigure = {
  orderLines: true,
  select: `SELECT l.product, min(l.description) AS description,
  coalesce(sum(l.amount) FILTER (WHERE l.kind = 'sale' AND s.ok), 0) AS sales,
  coalesce(sum(-l.amount) FILTER (WHERE l.kind = 'return' AND s.ok), 0) AS returns,
  coalesce(sum(l.quantity) FILTER (WHERE l.kind = 'sale' AND s.ok), 0) AS quantity,
  coalesce(sum(-l.quantity) FILTER (WHERE l.kind = 'return' AND s.ok), 0) AS returned_quantity,
  count(DISTINCT ROW(l.customer_id, l.order_key)) FILTER (WHERE l.kind = 'sale' AND s.ok) AS orders
FROM wh_order_lines AS l
CROSS JOIN LATERAL (SELECT l.order_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR l.order_country = $3) AS ok) AS s
WHERE l.product IS NOT NULL AND NOT ${NON_MERCHANDISE_SQL("l.product")}
GROUP BY l.product`,
};

const readProductSums = (rows: WarehouseRow[]): ProductSums[] =>
  rows.map((r) => ({
    code: String(r.product),
    description: r.description === null ? null : String(r.description),
    sales: num(r.sales),
    returns: num(r.returns),
    quantity: num(r.quantity),
    returnedQuantity: num(r.returned_quantity),
    orders: num(r.orders),
  }));

const PARETO_POINTS = 200;

/** revenue.ts productPareto: products by net revenue (sales − |returns|), the top `top` and the cumulative curve. */
export function productsQuery(source: WarehouseSource, scope: Scope, top = 50): WarehouseQuery<ProductPareto> {
  return cleanedQuery(source, {
    ...PRODUCT_SUMS,
    values: scopeValues(scope),
    read: (rows) => {
      const ranked = readProductSums(rows)
        .map((p) => ({ ...p, net: p.sales - p.returns }))
        .filter((p) => p.net > 0)
        .sort((a, b) => b.net - a.net || a.code.localeCompare(b.code));
      const total = ranked.reduce((s, p) => s + p.net, 0);
      let cumulative = 0;
      let productsFor80 = 0;
      const step = Math.max(1, Math.ceil(ranked.length / PARETO_POINTS));
      const products: ProductPareto["products"] = [];
      const curve: ProductPareto["curve"] = [];
      ranked.forEach((p, r) => {
        cumulative += p.net;
        const reaches80 = productsFor80 === 0 && cumulative >= 0.8 * total;
        if (reaches80) productsFor80 = r + 1;
        if (r % step === 0 || reaches80 || r === ranked.length - 1)
          curve.push({ rank: r + 1, cumulativeShare: share(cumulative, total) });
        if (r < top)
          products.push({
            rank: r + 1,
            stockCode: p.code,
            description: p.description,
            revenue: money(p.net),
            sales: money(p.sales),
            returns: money(p.returns),
            quantity: p.quantity,
            orders: p.orders,
            share: share(p.net, total),
            cumulativeShare: share(cumulative, total),
          });
      });
      return { products, merchandiseRevenue: money(total), productCount: ranked.length, productsFor80, curve };
    },
  });
}

/** revenue.ts mostReturned: products by cancelled value in the scope (ties by stock code). */
export function mostReturnedQuery(source: WarehouseSource, scope: Scope, top = 5): WarehouseQuery<ReturnedProduct[]> {
  return cleanedQuery(source, {
    ...PRODUCT_SUMS,
    values: scopeValues(scope),
    read: (rows) =>
      readProductSums(rows)
        .filter((p) => p.returns > 0)
        .sort((a, b) => b.returns - a.returns || (a.code < b.code ? -1 : 1))
        .slice(0, top)
        .map((p) => ({
          stockCode: p.code,
          description: p.description,
          returnedValue: money(p.returns),
          returnedQuantity: p.returnedQuantity,
        })),
  });
}

export function seasonalityQuery(source: WarehouseSource, scope: Scope): WarehouseQuery<Seasonality> {
  return cleanedQuery(source, {
    select: `SELECT 'cell' AS what, ((o.day + 3) % 7 + 7) % 7 AS a, o.minute / 60 AS b, count(*) AS orders, NULL::numeric AS revenue
FROM wh_orders AS o WHERE o.kind = 'sale' AND ${IN_SCOPE("o")} GROUP BY 2, 3
UNION ALL
SELECT 'month', o.month, NULL, count(*), sum(o.amount)
FROM wh_orders AS o WHERE o.kind = 'sale' AND ${IN_SCOPE("o")} GROUP BY o.month`,
    values: scopeValues(scope),
    read: (rows) => {
      const weekdayHour = WEEKDAYS.map(() => new Array<number>(24).fill(0));
      const byMonth = new Map<number, WarehouseRow>();
      for (const r of rows) {
        if (r.what === "cell") weekdayHour[num(r.a)][num(r.b)] = num(r.orders);
        else byMonth.set(num(r.a), r);
      }
      const months: Seasonality["months"] = [];
      if (scope.fromDay <= scope.toDay) {
        for (let m = monthOf(scope.fromDay); m <= monthOf(scope.toDay); m++) {
          const r = byMonth.get(m);
          months.push({
            month: monthText(m),
            revenue: money(num(r?.revenue)),
            orders: num(r?.orders),
            ...monthCoverage(scope, m),
          });
        }
      }
      return { months, weekdayHour };
    },
  });
}

/** kpis.ts kpisFor: the overview's KPI cards (revenue and orders over all sales, customer figures over customers). */
export function kpisQuery(source: WarehouseSource, scope: Scope): WarehouseQuery<Kpis & { hasData: boolean }> {
  return cleanedQuery(source, {
    ctes: [
      `scoped AS (SELECT o.* FROM wh_orders AS o WHERE ${IN_SCOPE("o")})`,
      `per AS (SELECT s.customer_id, count(*) AS n FROM scoped AS s WHERE s.kind = 'sale' AND s.customer_id IS NOT NULL GROUP BY s.customer_id)`,
    ],
    select: `SELECT (SELECT count(*) FROM scoped) AS any_orders,
  (SELECT coalesce(sum(amount), 0) FROM scoped WHERE kind = 'sale') AS revenue,
  (SELECT count(*) FROM scoped WHERE kind = 'sale') AS orders,
  (SELECT coalesce(sum(-amount), 0) FROM scoped WHERE kind = 'return') AS cancelled,
  (SELECT count(*) FROM per) AS customers, (SELECT count(*) FROM per WHERE n >= 2) AS repeaters`,
    values: scopeValues(scope),
    read: (rows) => {
      const r = rows[0];
      const revenue = num(r.revenue);
      const orders = num(r.orders);
      const cancelled = num(r.cancelled);
      const customers = num(r.customers);
      return {
        hasData: num(r.any_orders) > 0,
        revenue: money(revenue),
        netRevenue: money(revenue - cancelled),
        orders,
        customers,
        averageOrderValue: orders ? money(revenue / orders) : null,
        repeatCustomerRate: share(num(r.repeaters), customers),
        refundRate: share(cancelled, revenue),
      };
    },
  });
}

/** insights.ts revenueConcentration: the top 20% of customers' share of customer revenue (ranked after the GROUP BY). */
export function concentrationQuery(
  source: WarehouseSource,
  scope: Scope,
): WarehouseQuery<{ customers: number; top: number; share: number | null }> {
  return cleanedQuery(source, {
    ctes: [
      `per AS (
  SELECT o.customer_id, sum(o.amount) AS spend FROM wh_orders AS o
  WHERE o.kind = 'sale' AND o.first_day IS NOT NULL AND ${IN_SCOPE("o")} GROUP BY o.customer_id
)`,
      `ranked AS (SELECT p.spend, row_number() OVER (ORDER BY p.spend DESC) AS rank, count(*) OVER () AS n FROM per AS p)`,
    ],
    select: `SELECT count(*) AS customers, coalesce(sum(spend), 0) AS total,
  coalesce(sum(spend) FILTER (WHERE rank <= ceil(n / 5.0)), 0) AS top_spend
FROM ranked`,
    values: scopeValues(scope),
    read: (rows) => {
      const customers = num(rows[0].customers);
      return {
        customers,
        top: Math.ceil(customers / 5),
        share: share(num(rows[0].top_spend), num(rows[0].total)),
      };
    },
  });
}
