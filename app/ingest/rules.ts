// The cleaning policy of PRODUCT.md §1, one rule each; the pipeline applies them in this order.

/** Rule 3: invoices starting with C are cancellations (returns). */
export const isCancellation = (invoice: string) => invoice.charCodeAt(0) === 67 /* C */ || invoice.charCodeAt(0) === 99;

/** Rule 4: invoices starting with A are accounting adjustments ("Adjust bad debt"): invalid whatever their sign. */
export const isAdjustment = (invoice: string) => invoice.charCodeAt(0) === 65 /* A */ || invoice.charCodeAt(0) === 97;

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
