import { SALE, type CustomerOrders } from "~/analytics/facts";

// Customer summaries for the CLV models (PRODUCT.md §5, FHL 2005 conventions): purchases on the same day are one
// purchase; x = repeat purchases (days after the first) up to the calibration end, t_x = weeks from the first to the
// last of them, T = weeks from the first purchase to the calibration end; m = average value of the repeat purchases
// (the first excluded); holdout = purchases after the calibration end. Money is summed in exact thousandths and divided
// once, so the warehouse's SQL (planning/warehouse-sql.ts, integer sums) gives the same floats, bit for bit.

export type CustomerSummary = {
  index: number;
  customerId: string;
  x: number;
  tx: number;
  T: number;
  m: number;
  firstValue: number;
  revenue: number;
  holdout: number;
  activeMonths: number;
  orders: number;
};

/**
 * Each buyer's distinct purchase days in order, with the day's value (thousandths) and month: built once per order
 * columns, so that the summaries as of any calibration end are one pass over them (a new end on /value, issue 15).
 */
type PurchaseDays = {
  /** Buyers (customer positions) in the order of their ids, the summaries' order. */
  buyers: Int32Array;
  /** Buyer i's days are start[i] … start[i + 1] − 1 of day, value and month. */
  start: Int32Array;
  day: Int32Array;
  value: Float64Array;
  month: Int32Array;
};

const purchaseDaysOf = new WeakMap<CustomerOrders, PurchaseDays>();

function purchaseDays(facts: CustomerOrders): PurchaseDays {
  const known = purchaseDaysOf.get(facts);
  if (known) return known;
  const o = facts.orders;
  const days = new Map<number, Map<number, number>>(); // customer → day → value in thousandths
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (o.kind[i] !== SALE || c < 0) continue;
    let perDay = days.get(c);
    if (!perDay) days.set(c, (perDay = new Map()));
    perDay.set(o.day[i], (perDay.get(o.day[i]) ?? 0) + o.amount[i]);
  }
  const ids = facts.customers.ids;
  const buyers = Int32Array.from([...days.keys()].sort((a, b) => (ids[a] < ids[b] ? -1 : 1)));
  const start = new Int32Array(buyers.length + 1);
  buyers.forEach((c, i) => (start[i + 1] = start[i] + days.get(c)!.size));
  const total = start[buyers.length];
  const out: PurchaseDays = {
    buyers,
    start,
    day: new Int32Array(total),
    value: new Float64Array(total),
    month: new Int32Array(total),
  };
  buyers.forEach((c, i) => {
    const perDay = days.get(c)!;
    [...perDay.keys()]
      .sort((a, b) => a - b)
      .forEach((d, j) => {
        const at = new Date(d * 86_400_000);
        out.day[start[i] + j] = d;
        out.value[start[i] + j] = perDay.get(d)!;
        out.month[start[i] + j] = at.getUTCFullYear() * 12 + at.getUTCMonth();
      });
  });
  purchaseDaysOf.set(facts, out);
  return out;
}

export function summarise(facts: CustomerOrders, calibrationEnd: number): CustomerSummary[] {
  const { buyers, start, day, value, month } = purchaseDays(facts);
  const out: CustomerSummary[] = [];
  for (let i = 0; i < buyers.length; i++) {
    const from = start[i];
    const first = day[from];
    if (first > calibrationEnd) continue;
    let end = from + 1; // one past the last day in calibration
    let repeatMilli = 0;
    let months = 1;
    for (; end < start[i + 1] && day[end] <= calibrationEnd; end++) {
      repeatMilli += value[end];
      if (month[end] !== month[end - 1]) months++;
    }
    const x = end - from - 1;
    out.push({
      index: buyers[i],
      customerId: facts.customers.ids[buyers[i]],
      x,
      tx: (day[end - 1] - first) / 7,
      T: (calibrationEnd - first) / 7,
      m: x ? repeatMilli / 1000 / x : 0,
      firstValue: value[from] / 1000,
      revenue: (value[from] + repeatMilli) / 1000,
      holdout: start[i + 1] - end,
      activeMonths: months,
      orders: end - from,
    });
  }
  return out;
}
