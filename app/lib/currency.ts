import { z } from "zod";

// A data set's currency (issue 14): an ISO 4217 code, or none (amounts shown as plain numbers). The one place where
// money becomes text: pages (through app/components/format.ts), written insights and recommendations, and CSV headers.

const KNOWN = new Set<string>(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("currency") : []);

/** The Online Retail layouts are in pounds sterling (UCI: a UK-based online retailer); others must be told. */
export function defaultCurrency(format: string): string | null {
  return format === "online-retail" || format === "online-retail-ii" ? "GBP" : null;
}

/** An ISO 4217 code as typed by a user ("gbp", " EUR ") → "GBP"; unknown codes are refused. */
export const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => /^[A-Z]{3}$/.test(c) && (KNOWN.size === 0 || KNOWN.has(c)), {
    message: "is not an ISO 4217 currency code (e.g. GBP, EUR, USD)",
  });

/** An optional code from a form or flag: empty means none. */
export const optionalCurrencySchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : v),
  currencySchema.nullable(),
);

/** Checks a code given on the command line or in a body; throws a one-line message naming the problem. */
export function parseCurrency(value: string): string {
  const r = currencySchema.safeParse(value);
  if (!r.success) throw new Error(`currency "${value}" ${r.error.issues[0].message}`);
  return r.data;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** A money figure: "£1,234.56" with a currency, "1,234.56" without (en-GB grouping, to the cent). */
export function formatMoney(x: number, currency: string | null | undefined): string {
  if (!currency)
    return formatter(
      "plain",
      () => new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    ).format(x);
  return formatter(currency, () => new Intl.NumberFormat("en-GB", { style: "currency", currency })).format(x);
}

/** A chart axis: "£1.5m" with a currency, "1.5m" without. */
export function formatMoneyCompact(x: number, currency: string | null | undefined): string {
  const key = `compact:${currency ?? ""}`;
  return formatter(
    key,
    () =>
      new Intl.NumberFormat(
        "en-GB",
        currency
          ? { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }
          : { notation: "compact", maximumFractionDigits: 1 },
      ),
  ).format(x);
}

/** A CSV or table header naming the currency: "revenue (GBP)"; the bare name without one. */
export const moneyHeader = (name: string, currency: string | null | undefined) =>
  currency ? `${name} (${currency})` : name;

/** A CSV header with its money columns (named in `money`) naming the currency: one rule for every CSV (issue 14). */
export const moneyHeaders = (
  header: readonly string[],
  money: readonly string[],
  currency: string | null | undefined,
) => header.map((h) => (money.includes(h) ? moneyHeader(h, currency) : h));
