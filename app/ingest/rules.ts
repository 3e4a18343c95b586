// The cleaning policy of PRODUCT.md §1, one rule each; the pipeline applies them in this order.

/** Rule 3: invoices starting with C are cancellations (returns). */
export const isCancellation = (invoice: string) => invoice.charCodeAt(0) === 67 /* C */ || invoice.charCodeAt(0) === 99;

/** Rule 4: invoices starting with A are accounting adjustments ("Adjust bad debt"): invalid whatever their sign. */
export const isAdjustment = (invoice: string) => invoice.charCodeAt(0) === 65 /* A */ || invoice.charCodeAt(0) === 97;

/** What the cleaning policy makes of a line that was read: kept as a sale or a return, or dropped (duplicate, invalid). */
export type LineKind = "sale" | "return" | "duplicate" | "invalid";
/** Why a line is invalid (the import report's invalidReasons). */
export type InvalidReason = "accounting adjustment" | "quantity not positive" | "zero price" | "negative price";
export type Classified =
  | { readonly kind: "sale" | "return" | "duplicate"; readonly reason: null }
  | { readonly kind: "invalid"; readonly reason: InvalidReason };

// one constant answer each: classifying a line allocates nothing (it runs once per line of multi-GB files)
const answer = <C extends Classified>(c: C): C => Object.freeze(c);
const SALE = answer({ kind: "sale", reason: null });
const RETURN = answer({ kind: "return", reason: null });
const DUPLICATE = answer({ kind: "duplicate", reason: null });
const ADJUSTMENT = answer({ kind: "invalid", reason: "accounting adjustment" });
const NOT_POSITIVE = answer({ kind: "invalid", reason: "quantity not positive" });
const ZERO_PRICE = answer({ kind: "invalid", reason: "zero price" });
const NEGATIVE_PRICE = answer({ kind: "invalid", reason: "negative price" });

/**
 * Rules 2, 3, 4 and the sales-line rule of PRODUCT.md §1, in that order, for a line that was read: an exact duplicate
 * of an earlier line (counted only when the file has an invoice column: `invoice` null means it has none), a
 * cancellation (a return, whatever its quantity), an accounting adjustment, a quantity not positive, a price (or, with
 * an amount column, an amount) not positive; otherwise a sale. Money in thousandths; `unitPrice` null with an amount
 * column. Pure.
 */
export function classify(
  invoice: string | null,
  quantity: number,
  unitPrice: number | null,
  amount: number,
  duplicate = false,
): Classified {
  if (invoice !== null) {
    if (duplicate) return DUPLICATE;
    if (isCancellation(invoice)) return RETURN;
    if (isAdjustment(invoice)) return ADJUSTMENT;
  }
  if (quantity <= 0) return NOT_POSITIVE;
  if (amount <= 0 || (unitPrice !== null && unitPrice <= 0)) return amount === 0 ? ZERO_PRICE : NEGATIVE_PRICE;
  return SALE;
}

/** Rule 7: non-merchandise stock codes, flagged and left out of product rankings only. */
const NON_MERCHANDISE = new Set(["POST", "DOT", "C2", "M", "D", "S", "B", "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES"]);
export const isNonMerchandise = (stockCode: string) =>
  NON_MERCHANDISE.has(stockCode.toUpperCase()) || /^gift_/i.test(stockCode);

/** Customer ids are text (leading zeros kept); Online Retail II writes "13085.0". */
export function normaliseCustomer(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  const m = /^(\d+)\.0+$/.exec(t);
  return m ? m[1] : t;
}

/** Rule 1: a file with more than this share of rejected lines fails the import. */
export const MAX_REJECTED_SHARE = 0.05;
/** The report keeps this many rejected-line examples. */
export const MAX_REJECTED_EXAMPLES = 100;
