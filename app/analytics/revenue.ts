import {
  RETURN,
  SALE,
  inScope,
  monthCoverage,
  monthOf,
  monthText,
  weekdayOf,
  type Coverage,
  type Facts,
  type Scope,
} from "./facts";
import { money, share } from "./money";

export type CountryRow = {
  country: string;
  revenue: number;
  share: number | null;
  customers: number;
  orders: number;
  averageOrderValue: number | null;
};

/** Revenue by country: all sales (with or without customer id); customers = distinct customer ids. */
export function countries(facts: Facts, scope: Scope): CountryRow[] {
  const o = facts.orders;
  const acc = new Map<number, { revenue: number; orders: number; customers: Set<number> }>();
  let total = 0;
  for (let i = 0; i < o.n; i++) {
    if (o.kind[i] !== SALE || !inScope(facts, scope, i)) continue;
    let a = acc.get(o.country[i]);
    if (!a) acc.set(o.country[i], (a = { revenue: 0, orders: 0, customers: new Set() }));
    a.revenue += o.amount[i];
    a.orders++;
    total += o.amount[i];
    if (o.customer[i] >= 0) a.customers.add(o.customer[i]);
  }
  return [...acc.entries()]
    .map(([c, a]) => ({
      country: c >= 0 ? facts.countries[c] : "(unknown)",
      revenue: money(a.revenue),
      share: share(a.revenue, total),
      customers: a.customers.size,
      orders: a.orders,
      averageOrderValue: money(a.revenue / a.orders),
      milli: a.revenue,
    }))
    .sort((a, b) => b.milli - a.milli || a.country.localeCompare(b.country))
    .map(({ milli: _m, ...row }) => row);
}

export type ProductRow = {
  rank: number;
  stockCode: string;
  description: string | null;
  /** Net revenue: sales minus returns of the product in the scope (issue 14). */
  revenue: number;
  sales: number;
  returns: number;
  quantity: number;
  orders: number;
  share: number | null;
  cumulativeShare: number | null;
};
export type ProductPareto = {
  products: ProductRow[];
  merchandiseRevenue: number;
  productCount: number;
  productsFor80: number;
  /** The cumulative share over every ranked product (at most PARETO_POINTS points, rank productsFor80 and the last kept): the chart reaches its 80% line. */
  curve: { rank: number; cumulativeShare: number | null }[];
};
const PARETO_POINTS = 200;

/**
 * Products by net revenue (sales lines minus the absolute value of their cancellation lines in the scope, issue 14),
 * non-merchandise codes excluded (rule 7). Products whose net is 0 or less (every sale cancelled) are not ranked. The
 * top `top` with cumulative share of the ranked products' net total, and how many make 80% of it.
 */
export function productPareto(facts: Facts, scope: Scope, top = 50): ProductPareto {
  const { lines, orders: o, products: p } = facts;
  const sales = new Float64Array(p.code.length);
  const returns = new Float64Array(p.code.length);
  const quantity = new Float64Array(p.code.length);
  const orderCount = new Int32Array(p.code.length);
  const lastOrder = new Int32Array(p.code.length).fill(-1);
  const ok = new Uint8Array(o.n); // 1 sale in scope, 2 return in scope
  for (let i = 0; i < o.n; i++)
    ok[i] = !inScope(facts, scope, i) ? 0 : o.kind[i] === SALE ? 1 : o.kind[i] === RETURN ? 2 : 0;
  for (let k = 0; k < lines.n; k++) {
    const prod = lines.product[k];
    const order = lines.order[k];
    if (prod < 0 || !ok[order] || p.nonMerchandise[prod]) continue;
    if (ok[order] === 2) {
      returns[prod] -= lines.amount[k];
      continue;
    }
    sales[prod] += lines.amount[k];
    quantity[prod] += lines.quantity[k];
    if (lastOrder[prod] !== order) {
      lastOrder[prod] = order;
      orderCount[prod]++;
    }
  }
  const net = sales.map((x, i) => x - returns[i]);
  const ranked = [...net.keys()]
    .filter((i) => net[i] > 0)
    .sort((a, b) => net[b] - net[a] || p.code[a].localeCompare(p.code[b]));
  const total = ranked.reduce((s, i) => s + net[i], 0);
  let cumulative = 0;
  let productsFor80 = 0;
  const rows: ProductRow[] = [];
  const step = Math.max(1, Math.ceil(ranked.length / PARETO_POINTS));
  const curve: ProductPareto["curve"] = [];
  ranked.forEach((i, r) => {
    cumulative += net[i];
    const reaches80 = productsFor80 === 0 && cumulative >= 0.8 * total;
    if (reaches80) productsFor80 = r + 1;
    if (r % step === 0 || reaches80 || r === ranked.length - 1)
      curve.push({ rank: r + 1, cumulativeShare: share(cumulative, total) });
    if (r < top) {
      rows.push({
        rank: r + 1,
        stockCode: p.code[i],
        description: p.description[i],
        revenue: money(net[i]),
        sales: money(sales[i]),
        returns: money(returns[i]),
        quantity: quantity[i],
        orders: orderCount[i],
        share: share(net[i], total),
        cumulativeShare: share(cumulative, total),
      });
    }
  });
  return { products: rows, merchandiseRevenue: money(total), productCount: ranked.length, productsFor80, curve };
}

export type ReturnedProduct = {
  stockCode: string;
  description: string | null;
  returnedValue: number;
  returnedQuantity: number;
};

/** Products by cancelled value in the scope. */
export function mostReturned(facts: Facts, scope: Scope, top = 5): ReturnedProduct[] {
  const { lines, orders: o, products: p } = facts;
  const value = new Float64Array(p.code.length);
  const qty = new Float64Array(p.code.length);
  for (let k = 0; k < lines.n; k++) {
    const order = lines.order[k];
    const prod = lines.product[k];
    if (prod < 0 || o.kind[order] !== RETURN || p.nonMerchandise[prod] || !inScope(facts, scope, order)) continue;
    value[prod] -= lines.amount[k];
    qty[prod] -= lines.quantity[k];
  }
  return [...value.keys()]
    .filter((i) => value[i] > 0)
    .sort((a, b) => value[b] - value[a])
    .slice(0, top)
    .map((i) => ({
      stockCode: p.code[i],
      description: p.description[i],
      returnedValue: money(value[i]),
      returnedQuantity: qty[i],
    }));
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export type Seasonality = {
  months: ({ month: string; revenue: number; orders: number } & Coverage)[];
  /** orders[weekday][hour], Monday first. */
  weekdayHour: number[][];
};

export function seasonality(facts: Facts, scope: Scope): Seasonality {
  const o = facts.orders;
  const grid = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  const byMonth = new Map<number, { revenue: number; orders: number }>();
  for (let i = 0; i < o.n; i++) {
    if (o.kind[i] !== SALE || !inScope(facts, scope, i)) continue;
    grid[weekdayOf(o.day[i])][Math.floor(o.minute[i] / 60)]++;
    const m = o.month[i];
    const acc = byMonth.get(m) ?? { revenue: 0, orders: 0 };
    acc.revenue += o.amount[i];
    acc.orders++;
    byMonth.set(m, acc);
  }
  const months = [];
  if (scope.fromDay <= scope.toDay) {
    for (let m = monthOf(scope.fromDay); m <= monthOf(scope.toDay); m++) {
      const acc = byMonth.get(m) ?? { revenue: 0, orders: 0 };
      months.push({ month: monthText(m), revenue: money(acc.revenue), orders: acc.orders, ...monthCoverage(scope, m) });
    }
  }
  return { months, weekdayHour: grid };
}
