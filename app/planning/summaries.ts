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

export function summarise(facts: CustomerOrders, calibrationEnd: number): CustomerSummary[] {
  const o = facts.orders;
  const days = new Map<number, Map<number, number>>(); // customer → day → value in thousandths
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (o.kind[i] !== SALE || c < 0) continue;
    let perDay = days.get(c);
    if (!perDay) days.set(c, (perDay = new Map()));
    perDay.set(o.day[i], (perDay.get(o.day[i]) ?? 0) + o.amount[i]);
  }
  const out: CustomerSummary[] = [];
  for (const [c, perDay] of days) {
    const sorted = [...perDay.keys()].sort((a, b) => a - b);
    const first = sorted[0];
    if (first > calibrationEnd) continue;
    const inCalibration = sorted.filter((d) => d <= calibrationEnd);
    const repeats = inCalibration.slice(1);
    const last = inCalibration[inCalibration.length - 1];
    const months = new Set(
      inCalibration.map((d) =>
        Math.floor(new Date(d * 86_400_000).getUTCFullYear() * 12 + new Date(d * 86_400_000).getUTCMonth()),
      ),
    );
    const repeatMilli = repeats.reduce((s, d) => s + perDay.get(d)!, 0);
    out.push({
      index: c,
      customerId: facts.customers.ids[c],
      x: repeats.length,
      tx: (last - first) / 7,
      T: (calibrationEnd - first) / 7,
      m: repeats.length ? repeatMilli / 1000 / repeats.length : 0,
      firstValue: perDay.get(first)! / 1000,
      revenue: (perDay.get(first)! + repeatMilli) / 1000,
      holdout: sorted.length - inCalibration.length,
      activeMonths: months.size,
      orders: inCalibration.length,
    });
  }
  return out.sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
}
