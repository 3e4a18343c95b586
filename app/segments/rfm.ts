// RFM scores and named segments, exactly as PRODUCT.md §3 defines them. Pure: numbers in, numbers out.

/** Percentile with linear interpolation between order statistics (numpy.percentile / R type 7 / pandas default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // numpy's _lerp: from the nearer end, so that results match numpy to the last bit
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** The 20th/40th/60th/80th percentiles of a metric over all customers. */
export function breakpoints(values: ArrayLike<number>): [number, number, number, number] {
  const sorted = Float64Array.from(values).sort();
  return [20, 40, 60, 80].map((p) => percentile(sorted, p)) as [number, number, number, number];
}

const below = (value: number, cuts: readonly number[]) => cuts.reduce((n, c) => n + (c < value ? 1 : 0), 0);

/** F and M: 1 + number of breakpoints strictly below the value (equal values share a score). */
const scoreUp = (value: number, cuts: readonly number[]) => 1 + below(value, cuts);

/** R: 5 − number of breakpoints strictly below the recency (recent = high score). */
const scoreRecency = (recency: number, cuts: readonly number[]) => 5 - below(recency, cuts);

export const SEGMENTS = [
  "Champions",
  "Loyal Customers",
  "Potential Loyalists",
  "New Customers",
  "Promising",
  "Need Attention",
  "About To Sleep",
  "At Risk",
  "Can't Lose Them",
  "Hibernating",
  "Lost",
] as const;
export type SegmentName = (typeof SEGMENTS)[number];

/** PRODUCT.md §3 grid: SEGMENT_GRID[5 − R][FM − 1]. */
export const SEGMENT_GRID: readonly (readonly SegmentName[])[] = [
  ["New Customers", "Potential Loyalists", "Loyal Customers", "Champions", "Champions"], // R = 5
  ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Champions"], // R = 4
  ["Promising", "Need Attention", "Potential Loyalists", "Loyal Customers", "Loyal Customers"], // R = 3
  ["About To Sleep", "Need Attention", "Need Attention", "At Risk", "At Risk"], // R = 2
  ["Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"], // R = 1
];

/** FM = ceil((F + M) / 2). */
export const fmScore = (f: number, m: number) => Math.ceil((f + m) / 2);

/** The F + M totals whose FM is `fm`, for a query over stored F and M scores. */
export const fmSums = (fm: number) => [2, 3, 4, 5, 6, 7, 8, 9, 10].filter((sum) => fmScore(sum, 0) === fm);

/** The segment of the grid cell R × FM. */
export const segmentAt = (r: number, fm: number): SegmentName => SEGMENT_GRID[5 - r][fm - 1];

export function segmentOf(r: number, f: number, m: number): SegmentName {
  return segmentAt(r, fmScore(f, m));
}

/** URL form of a segment name ("Can't Lose Them" → "can-t-lose-them"). */
export const segmentSlug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
export const segmentFromSlug = (slug: string): SegmentName | null =>
  SEGMENTS.find((s) => segmentSlug(s) === slug) ?? null;

/** What a marketer does with each segment: the one line shown beside it. */
export const SEGMENT_ACTIONS: Record<SegmentName, string> = {
  Champions: "Reward them: early access, loyalty perks, ask for reviews and referrals; no discounts needed.",
  "Loyal Customers": "Upsell higher-value products and enrol them in the loyalty programme.",
  "Potential Loyalists": "Offer membership or a second-category recommendation to build the habit.",
  "New Customers": "Onboard them: a welcome series and the nudge towards a second order.",
  Promising: "Build awareness with brand content and a small first-repeat incentive.",
  "Need Attention": "Reactivate with a limited-time, personalised recommendation.",
  "About To Sleep": "Win them before they lapse: popular products and a modest discount.",
  "At Risk": "Send personalised win-back emails with their favourite categories.",
  "Can't Lose Them": "Win back with a personal offer and a direct outreach; learn why they stopped.",
  Hibernating: "Re-engage cheaply with seasonal offers; do not overspend on them.",
  Lost: "Try one reactivation campaign, then leave them out of paid targeting.",
};

/**
 * A customer's monetary value (PRODUCT.md §3, issue 14): sales minus the absolute value of their cancellation lines
 * over the same period, floored at 0. Any unit (thousandths or currency units), as long as both are in the same one.
 */
export const netSpend = (sales: number, returns: number) => Math.max(0, sales - Math.abs(returns));

export type RfmInput = { customerId: string; recency: number; frequency: number; monetary: number };

/** The persona features of PRODUCT.md §3: log1p of recency, frequency and monetary (currency units, floored at 0). */
export const personaFeatures = (c: RfmInput) => [
  Math.log1p(c.recency),
  Math.log1p(c.frequency),
  Math.log1p(Math.max(0, c.monetary)),
];
export type RfmRow = RfmInput & { r: number; f: number; m: number; fm: number; code: string; segment: SegmentName };
export type RfmResult = { rows: RfmRow[]; cuts: { recency: number[]; frequency: number[]; monetary: number[] } };

/** Scores every customer against breakpoints computed over all of them. */
export function scoreCustomers(customers: RfmInput[]): RfmResult {
  const cuts = {
    recency: breakpoints(customers.map((c) => c.recency)),
    frequency: breakpoints(customers.map((c) => c.frequency)),
    monetary: breakpoints(customers.map((c) => c.monetary)),
  };
  const rows = customers.map((c) => {
    const r = scoreRecency(c.recency, cuts.recency);
    const f = scoreUp(c.frequency, cuts.frequency);
    const m = scoreUp(c.monetary, cuts.monetary);
    // Object.assign, not { ...c, r, … }: V8 builds that spread ~30 times slower (issue 15: RFM as of a calibration end)
    return Object.assign({}, c, { r, f, m, fm: fmScore(f, m), code: `${r}${f}${m}`, segment: segmentOf(r, f, m) });
  });
  return { rows, cuts };
}

const DAY_MS = 86_400_000;

/** Calendar days between two ISO dates (or timestamps): recency of a last purchase against the snapshot day. */
export function calendarDays(fromIso: string, toIso: string): number {
  const day = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
  return Math.round((day(toIso) - day(fromIso)) / DAY_MS);
}
