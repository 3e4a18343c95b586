// Number formats of the pages (en-GB grouping; money to the cent; shares as percentages).
export const int = (x: number) => x.toLocaleString("en-GB");
export const amount = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const compact = (x: number) => x.toLocaleString("en-GB", { notation: "compact", maximumFractionDigits: 1 });
export const percent = (x: number | null, digits = 1) => (x === null ? "–" : `${(x * 100).toFixed(digits)}%`);
