// Number formats of the pages (en-GB grouping; money to the cent; shares as percentages).
export const int = (x: number) => x.toLocaleString("en-GB");
export const amount = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const compact = (x: number) => x.toLocaleString("en-GB", { notation: "compact", maximumFractionDigits: 1 });
export const percent = (x: number | null, digits = 1) => (x === null ? "–" : `${(x * 100).toFixed(digits)}%`);
/** "1 order", "2 orders": a count with its noun, singular for exactly one. */
export const plural = (n: number, noun: string, nouns = `${noun}s`) => `${int(n)} ${n === 1 ? noun : nouns}`;
