import { RETURN, SALE, inScope, monthOf, monthText, weekdayOf, type Facts, type Scope } from "./facts";
import { money, share } from "./money";

export type CountryRow = { country: string; revenue: number; share: number | null; customers: number; orders: number; averageOrderValue: number | null };

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

export type ProductRow = { rank: number; stockCode: string; description: string | null; revenue: number; quantity: number; orders: number; share: number | null; cumulativeShare: number | null };
export type ProductPareto = { products: ProductRow[]; merchandiseRevenue: number; productCount: number; productsFor80: number };

/** Products by sales revenue, non-merchandise codes excluded (rule 7): the top `top` with cumulative share, and how many make 80%. */
export function productPareto(facts: Facts, scope: Scope, top = 50): ProductPareto {
  const { lines, orders: o, products: p } = facts;
  const revenue = new Float64Array(p.code.length);
  const quantity = new Float64Array(p.code.length);
  const orderCount = new Int32Array(p.code.length);
  const lastOrder = new Int32Array(p.code.length).fill(-1);
  const ok = new Uint8Array(o.n);
  for (let i = 0; i < o.n; i++) ok[i] = o.kind[i] === SALE && inScope(facts, scope, i) ? 1 : 0;
  let total = 0;
  for (let k = 0; k < lines.n; k++) {
    const prod = lines.product[k];
    const order = lines.order[k];
    if (prod < 0 || !ok[order] || p.nonMerchandise[prod]) continue;
    revenue[prod] += lines.amount[k];
    quantity[prod] += lines.quantity[k];
    total += lines.amount[k];
    if (lastOrder[prod] !== order) {
      lastOrder[prod] = order;
      orderCount[prod]++;
    }
  }
  const ranked = [...revenue.keys()].filter((i) => revenue[i] > 0).sort((a, b) => revenue[b] - revenue[a] || p.code[a].localeCompare(p.code[b]));
  let cumulative = 0;
  let productsFor80 = 0;
  const rows: ProductRow[] = [];
  ranked.forEach((i, r) => {
    cumulative += revenue[i];
    if (productsFor80 === 0 && cumulative >= 0.8 * total) productsFor80 = r + 1;
    if (r < top) {
      rows.push({ rank: r + 1, stockCode: p.code[i], description: p.description[i], revenue: money(revenue[i]), quantity: quantity[i], orders: orderCount[i], share: share(revenue[i], total), cumulativeShare: share(cumulative, total) });
    }
  });
  return { products: rows, merchandiseRevenue: money(total), productCount: ranked.length, productsFor80 };
}

export type ReturnedProduct = { stockCode: string; description: string | null; returnedValue: number; returnedQuantity: number };

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
    .map((i) => ({ stockCode: p.code[i], description: p.description[i], returnedValue: money(value[i]), returnedQuantity: qty[i] }));
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export type Seasonality = {
  months: { month: string; revenue: number; orders: number }[];
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
      months.push({ month: monthText(m), revenue: money(acc.revenue), orders: acc.orders });
    }
  }
  return { months, weekdayHour: grid };
}
