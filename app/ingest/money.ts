// Money is kept as exact integers of thousandths of the currency unit (PRODUCT.md §1.6: prices have at most 3 decimals).
export const MILLI_PER_UNIT = 1000;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export type ParsedDecimal = { ok: true; milli: number } | { ok: false; reason: string };

/** Parses a plain decimal ("2.55", "-1", ".5", "0.001") into thousandths, exactly; no exponents, no NaN. */
export function parseMilli(text: string): ParsedDecimal {
  // fast path for the usual "12.34": digits, an optional point and up to 3 decimals
  let whole = 0;
  let i = 0;
  const n = text.length;
  let c = 0;
  while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57 && i < 12) ((whole = whole * 10 + (c - 48)), i++);
  if (i > 0 && i < 12) {
    if (i === n) return { ok: true, milli: whole * 1000 };
    if (c === 46 && n - i - 1 <= 3) {
      let frac = 0;
      let j = i + 1;
      for (; j < n && (c = text.charCodeAt(j)) >= 48 && c <= 57; j++) frac = frac * 10 + (c - 48);
      if (j === n) return { ok: true, milli: whole * 1000 + frac * [1000, 100, 10, 1][n - i - 1] };
    }
  }
  return parseMilliSlow(text);
}

function parseMilliSlow(text: string): ParsedDecimal {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) return { ok: false, reason: "is not a number" };
  const whole = m[2] || "0";
  let frac = m[3] ?? "";
  if (frac.length > 3) {
    if (/[^0]/.test(frac.slice(3))) return { ok: false, reason: "has more than 3 decimal places" };
    frac = frac.slice(0, 3);
  }
  if (whole.length > 12) return { ok: false, reason: "is too large" };
  const milli = Number(whole) * 1000 + Number(frac.padEnd(3, "0"));
  return { ok: true, milli: m[1] === "-" && milli !== 0 ? -milli : milli };
}

/** Thousandths → cents, rounded half-up (half away from zero for negatives). */
export function milliToCents(milli: number): number {
  const abs = Math.floor((Math.abs(milli) + 5) / 10);
  return milli < 0 && abs !== 0 ? -abs : abs;
}

/** Thousandths → a number of currency units rounded to the cent, for JSON and CSV. */
export function milliToMoney(milli: number): number {
  return milliToCents(milli) / 100;
}

/** To two decimals: an amount in currency units to the cent (sums of floats), and the means shown beside them. */
export const round2 = (x: number) => Math.round(x * 100) / 100;
