// The active data set's sales and cancellations as columns in memory: every context figure is a pure function of Facts
// and a Filter, so the pages answer in milliseconds for any date range or country without re-scanning SQLite.
// Money in thousandths; days are days since 1970-01-01 of the local date written in the file.

export const SALE = 1;
export const RETURN = 2;

export type Facts = {
  datasetId: number;
  /** The data set's ISO 4217 currency, or null: money shown as plain numbers (issue 14). */
  currency: string | null;
  /** First and last day with a kept transaction (sales or cancellations). */
  firstDay: number;
  lastDay: number;
  countries: string[];
  customers: { ids: string[]; country: Int32Array; firstSaleDay: Int32Array; firstSaleMonth: Int32Array };
  products: { code: string[]; description: (string | null)[]; nonMerchandise: Uint8Array };
  orders: {
    n: number;
    kind: Uint8Array;
    customer: Int32Array; // index into customers, -1 without customer id
    country: Int32Array; // index into countries, -1 unknown
    day: Int32Array;
    month: Int32Array; // monthOf(day), kept because pages group by month constantly
    minute: Int16Array; // minute of the day
    amount: Float64Array; // signed as in the file: cancellations are negative
  };
  lines: { n: number; order: Int32Array; product: Int32Array; quantity: Float64Array; amount: Float64Array };
};

/**
 * The columns that customer-level figures read (RFM as of a day, the CLV summaries): a small part of Facts, posted to
 * the CLV worker thread so that those computations run off the request path.
 */
export type CustomerOrders = {
  countries: string[];
  customers: Pick<Facts["customers"], "ids" | "country">;
  orders: Pick<Facts["orders"], "n" | "kind" | "customer" | "day" | "amount">;
};

/**
 * Copies of just these columns' values: the facts' columns may be views of one buffer holding every column (a column
 * file), and posting a view copies its whole buffer (13.7 MB for Online Retail's 23,795 orders, 0.1–0.5 s on the web
 * worker's thread).
 */
export const customerOrders = ({ countries, customers, orders }: CustomerOrders): CustomerOrders => ({
  countries,
  customers: { ids: customers.ids, country: customers.country.slice() },
  orders: {
    n: orders.n,
    kind: orders.kind.slice(0, orders.n),
    customer: orders.customer.slice(0, orders.n),
    day: orders.day.slice(0, orders.n),
    amount: orders.amount.slice(0, orders.n),
  },
});

export type Filter = { from?: string; to?: string; country?: string };

/** A filter resolved against the facts: an inclusive day range and a country index (or none). */
export type Scope = { fromDay: number; toDay: number; country: number | null; countryName: string | null };

const DAY_MS = 86_400_000;

export function dayNumber(isoDate: string): number {
  return Math.floor(Date.UTC(+isoDate.slice(0, 4), +isoDate.slice(5, 7) - 1, +isoDate.slice(8, 10)) / DAY_MS);
}

export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Month index (year × 12 + month − 1) of a day. */
export function monthOf(day: number): number {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export function monthText(month: number): string {
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}`;
}

function monthStart(month: number): number {
  return Math.floor(Date.UTC(Math.floor(month / 12), month % 12, 1) / DAY_MS);
}

/** Monday = 0 … Sunday = 6. */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Resolves a filter; dates outside the data are clamped, an unknown country matches nothing. */
export function scopeOf(facts: Pick<Facts, "firstDay" | "lastDay" | "countries">, filter: Filter): Scope {
  const fromDay = filter.from ? Math.max(facts.firstDay, dayNumber(filter.from)) : facts.firstDay;
  const toDay = filter.to ? Math.min(facts.lastDay, dayNumber(filter.to)) : facts.lastDay;
  let country: number | null = null;
  if (filter.country) {
    const i = facts.countries.indexOf(filter.country);
    country = i >= 0 ? i : -2;
  }
  return { fromDay, toDay, country, countryName: filter.country ?? null };
}

/** Whether order i is inside the scope (date range and country). */
export function inScope(facts: Facts, scope: Scope, i: number): boolean {
  const day = facts.orders.day[i];
  return (
    day >= scope.fromDay && day <= scope.toDay && (scope.country === null || facts.orders.country[i] === scope.country)
  );
}

/** The same scope shifted back by its own length: the previous period of the KPI comparison. */
export function previousScope(scope: Scope): Scope {
  const length = scope.toDay - scope.fromDay + 1;
  return { ...scope, fromDay: scope.fromDay - length, toDay: scope.fromDay - 1 };
}

/** How much of a month a scope covers (issue 14): a first or last month the data or the filter cuts is partial. */
export type Coverage = { days: number; daysInMonth: number; partial: boolean };

export function monthCoverage(scope: Pick<Scope, "fromDay" | "toDay">, month: number): Coverage {
  const start = monthStart(month);
  const end = monthStart(month + 1) - 1;
  const daysInMonth = end - start + 1;
  const days = Math.max(0, Math.min(end, scope.toDay) - Math.max(start, scope.fromDay) + 1);
  return { days, daysInMonth, partial: days < daysInMonth };
}

/** "partial (9 of 31 days)": how tables and charts mark a partial month. */
export const partialLabel = (c: Coverage) => `partial (${c.days} of ${c.daysInMonth} days)`;
