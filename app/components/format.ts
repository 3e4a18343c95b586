import { formatMoney, formatMoneyCompact } from "~/lib/currency";
import { percentText, signedPercentText } from "~/lib/numbers";

// Number formats of the pages (en-GB grouping; money to the cent in the active data set's currency; shares as percentages).

// The active data set's currency (issue 14), set by the root component from its loader before any page renders
// (useActiveCurrency): one data set is active at a time, so every money figure of a render shares it.
let activeCurrency: string | null = null;

/** Sets the currency of the money figures that follow (root.tsx, once per render). */
export function setActiveCurrency(currency: string | null | undefined) {
  activeCurrency = currency ?? null;
}

/** The active currency, for a header or a label ("Budget (GBP)"). */
export const currencyCode = () => activeCurrency;

export const int = (x: number) => x.toLocaleString("en-GB");
/** A money figure in the active currency: "£1,234.56" (or "1,234.56" without a currency). */
export const amount = (x: number) => formatMoney(x, activeCurrency);
/** A money axis: "£1.5m". */
export const compactMoney = (x: number) => formatMoneyCompact(x, activeCurrency);
/** The power calculator's effect: "0.899 pts" of conversion, "£1.25" of revenue per customer (issue 14). */
export const effectText = (absolute: number, metric: "proportion" | "mean") =>
  metric === "proportion" ? `${(absolute * 100).toFixed(3)} pts` : amount(absolute);
export const compact = (x: number) => x.toLocaleString("en-GB", { notation: "compact", maximumFractionDigits: 1 });
export const percent = (x: number | null, digits = 1) => (x === null ? "–" : percentText(x, digits));
/** A change: "+12.3%", "-5.0%". */
export const signedPercent = (x: number | null, digits = 1) => (x === null ? "–" : signedPercentText(x, digits));
/** "1 order", "2 orders": a count with its noun, singular for exactly one. */
export const plural = (n: number, noun: string, nouns = `${noun}s`) => `${int(n)} ${n === 1 ? noun : nouns}`;
