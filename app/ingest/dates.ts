// Date formats accepted in imports (PRODUCT.md §1): ISO 8601, M/D/YYYY H:MM[:SS], YYYYMMDD; D/M/YYYY when the data says so.
// Timestamps are local shop time as written; they are kept as ISO local strings "YYYY-MM-DDTHH:MM:SS".

export const DATE_FORMATS = ["M/D/YYYY H:MM", "D/M/YYYY H:MM", "YYYY-MM-DD HH:MM:SS", "YYYYMMDD"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1];
}

const pad2 = (n: number) => (n < 10 ? "0" + n : String(n));

function build(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59 || y < 1900 || y > 2200)
    return null;
  return `${y}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
}

/** Parses one value in the given format into "YYYY-MM-DDTHH:MM:SS", or null when it is not a real date in that format. */
export function parseDate(text: string, format: DateFormat): string | null {
  let m: RegExpExecArray | null;
  switch (format) {
    case "M/D/YYYY H:MM":
    case "D/M/YYYY H:MM": {
      m = SLASHED.exec(text);
      if (!m) return null;
      const a = +m[1],
        b = +m[2];
      const [mo, d] = format === "M/D/YYYY H:MM" ? [a, b] : [b, a];
      return build(+m[3], mo, d, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0);
    }
    case "YYYY-MM-DD HH:MM:SS":
      m = ISO.exec(text);
      return m ? build(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0) : null;
    case "YYYYMMDD":
      m = COMPACT.exec(text);
      return m ? build(+m[1], +m[2], +m[3], 0, 0, 0) : null;
  }
}

/**
 * Detects the date format from sample values: the format that reads the most of them; for slashed dates,
 * day-first only when more samples read as day-first than as month-first (month-first wins ties: the Online Retail way).
 */
export function detectDateFormat(samples: string[]): DateFormat | null {
  // each distinct text read once per format, counted as often as it occurs (an invoice's lines share their timestamp)
  const values = new Map<string, number>();
  for (const s of samples) if (s !== "") values.set(s, (values.get(s) ?? 0) + 1);
  if (values.size === 0) return null;
  let best: DateFormat | null = null;
  let bestCount = 0;
  for (const format of DATE_FORMATS) {
    const count = parseCount(values, format);
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  if (best === null) return null;
  if (best === "M/D/YYYY H:MM" || best === "D/M/YYYY H:MM") {
    const m = parseCount(values, "M/D/YYYY H:MM");
    const d = parseCount(values, "D/M/YYYY H:MM");
    best = d > m ? "D/M/YYYY H:MM" : "M/D/YYYY H:MM";
  }
  return best;
}

function parseCount(values: Map<string, number>, format: DateFormat): number {
  let n = 0;
  for (const [v, times] of values) if (parseDate(v, format) !== null) n += times;
  return n;
}

/** Accepts the CLI's --date-format spellings ("M/D/YYYY", "iso", "YYYYMMDD", …) and returns the canonical format. */
export function normaliseDateFormat(text: string): DateFormat | null {
  const t = text.trim().toUpperCase().replace(/\s+/g, " ");
  if (t === "ISO" || t.startsWith("YYYY-MM-DD")) return "YYYY-MM-DD HH:MM:SS";
  if (t === "YYYYMMDD") return "YYYYMMDD";
  if (t.startsWith("M/D/YYYY") || t.startsWith("MM/DD/YYYY")) return "M/D/YYYY H:MM";
  if (t.startsWith("D/M/YYYY") || t.startsWith("DD/MM/YYYY")) return "D/M/YYYY H:MM";
  return null;
}

/** A real calendar day written YYYY-MM-DD (9999-99-99 is not one). */
export function isCalendarDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return !!m && +m[2] >= 1 && +m[2] <= 12 && +m[3] >= 1 && +m[3] <= daysIn(+m[1], +m[2]);
}

/**
 * The days a transaction can plausibly carry (#12 item 5: lines dated 1900 and 2150 made /cohorts a 27 MB page): from
 * 1990-01-01 to tomorrow by default; PLAUSIBLE_DATES="FROM..TO" (either side may be empty) changes it. Lines outside are
 * rejected with the reason, so every page is bounded by the span of real data.
 */
export function plausibleDates(
  env: Record<string, string | undefined> = process.env,
  now = new Date(),
): { from: string; to: string } {
  const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const range = { from: "1990-01-01", to: tomorrow };
  const setting = env.PLAUSIBLE_DATES?.trim();
  if (!setting) return range;
  const [from, to] = setting.split("..").map((s) => s?.trim() ?? "");
  for (const [side, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value === "" || value === undefined) continue;
    if (!isCalendarDay(value))
      throw new Error(`PLAUSIBLE_DATES must be FROM..TO with days written YYYY-MM-DD, got "${setting.slice(0, 60)}"`);
    range[side] = value;
  }
  return range;
}
