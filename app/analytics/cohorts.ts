import { SALE, monthOf, monthText, type Facts, type Scope } from "./facts";
import { money, share } from "./money";

export type CohortRow = { month: string; size: number; active: number[]; revenue: number[] };

/** Whether customer c belongs to the scope's customers: acquired within its dates, in its country. */
function acquiredInScope(facts: Facts, scope: Scope, c: number): boolean {
  const first = facts.customers.firstSaleDay[c];
  return (
    first >= scope.fromDay &&
    first <= scope.toDay &&
    (scope.country === null || facts.customers.country[c] === scope.country)
  );
}

/**
 * Acquisition cohorts: rows = month of first purchase (every month of the scope, empty ones as size 0), columns k =
 * months since acquisition up to the scope's last month; active[k] = cohort customers with a sale in month k,
 * revenue[k] = their sales in month k, to the cent. Cancellations never make or move an acquisition.
 */
export function cohorts(facts: Facts, scope: Scope): CohortRow[] {
  if (scope.fromDay > scope.toDay) return [];
  const first = monthOf(scope.fromDay);
  const last = monthOf(scope.toDay);
  const rows = Array.from({ length: last - first + 1 }, (_, m) => ({
    size: 0,
    active: Array.from({ length: last - first - m + 1 }, () => new Set<number>()),
    revenue: new Array<number>(last - first - m + 1).fill(0),
  }));
  const cohortOf = new Int32Array(facts.customers.ids.length).fill(-1);
  facts.customers.ids.forEach((_, c) => {
    if (!acquiredInScope(facts, scope, c)) return;
    cohortOf[c] = facts.customers.firstSaleMonth[c] - first;
    rows[cohortOf[c]].size++;
  });
  const o = facts.orders;
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (o.kind[i] !== SALE || c < 0 || cohortOf[c] < 0 || o.day[i] > scope.toDay) continue;
    const k = o.month[i] - first - cohortOf[c];
    const row = rows[cohortOf[c]];
    row.active[k].add(c);
    row.revenue[k] += o.amount[i];
  }
  return rows.map((r, m) => ({
    month: monthText(first + m),
    size: r.size,
    active: r.active.map((s) => s.size),
    revenue: r.revenue.map(money),
  }));
}

export type RetentionView = "customers" | "revenue" | "cumulative";

/** A cohort row as the heatmap shows it: share active, revenue retention (month k ÷ month 0), or cumulative revenue per customer. */
export function retentionCells(row: CohortRow, view: RetentionView): (number | null)[] {
  if (view === "customers") return row.active.map((a) => share(a, row.size));
  if (view === "revenue") return row.revenue.map((r) => share(r, row.revenue[0]));
  let sum = 0;
  return row.revenue.map((r) => (row.size ? Math.round(((sum += r) / row.size) * 100) / 100 : null));
}

/** Average month-k retention over cohorts that reached month k, weighted by cohort size. */
export function averageRetention(rows: CohortRow[]): (number | null)[] {
  const longest = Math.max(0, ...rows.map((r) => r.active.length));
  return Array.from({ length: longest }, (_, k) => {
    let active = 0;
    let size = 0;
    for (const r of rows) {
      // a cohort's last column is a partial month when the data ends mid-month: it still counts, as in the table
      if (k < r.active.length && r.size > 0) {
        active += r.active[k];
        size += r.size;
      }
    }
    return share(active, size);
  });
}

export type SecondPurchase = {
  newCustomers: number;
  /** curve[N − 1]: share of new customers observable for N days who bought again within N days, N = 1…maxDays. */
  curve: { days: number; share: number | null; observed: number }[];
  callouts: { days: number; share: number | null }[];
};

/**
 * Time to second purchase for customers acquired in the scope: the second sale order's calendar day minus the first's.
 * For each N only customers acquired at least N days before the scope's end count, so late cohorts do not drag the
 * curve down for lack of time.
 */
export function secondPurchase(facts: Facts, scope: Scope, maxDays = 180): SecondPurchase {
  const gaps: number[] = [];
  const firstDays: number[] = [];
  const o = facts.orders;
  const nth = new Map<number, number[]>();
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (o.kind[i] !== SALE || c < 0 || o.day[i] > scope.toDay || !acquiredInScope(facts, scope, c)) continue;
    const days = nth.get(c);
    if (days) days.push(o.day[i]);
    else nth.set(c, [o.day[i]]);
  }
  for (const days of nth.values()) {
    days.sort((a, b) => a - b);
    firstDays.push(days[0]);
    gaps.push(days.length > 1 ? days[1] - days[0] : Infinity);
  }
  const curve = Array.from({ length: maxDays }, (_, k) => {
    const n = k + 1;
    let observed = 0;
    let again = 0;
    for (let j = 0; j < gaps.length; j++) {
      if (firstDays[j] + n > scope.toDay) continue;
      observed++;
      if (gaps[j] <= n) again++;
    }
    return { days: n, share: share(again, observed), observed };
  });
  return {
    newCustomers: gaps.length,
    curve,
    callouts: [7, 30, 90].filter((d) => d <= maxDays).map((d) => ({ days: d, share: curve[d - 1].share })),
  };
}
