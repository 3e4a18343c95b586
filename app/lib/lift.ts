// A relative change of a metric that cannot go below zero (conversion, revenue per customer, refund rate, AOV) cannot
// fall below −100%, but its delta-method interval can (gbstats' relative interval is symmetric): the DISPLAY clips the
// lower end; JSON and CSV keep the computed figure.

/** The lower end of a relative interval as shown: "below -100%" when the computed bound is under −1, else formatted. */
export function liftLower(x: number | null, format: (x: number) => string, open = "-∞"): string {
  if (x === null) return open;
  return x < -1 ? "below -100%" : format(x);
}
