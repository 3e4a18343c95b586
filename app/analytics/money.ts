import { milliToMoney } from "~/ingest/money";

/** Thousandths → currency units rounded half-up to the cent (the only rounding a figure gets). */
export const money = milliToMoney;

/** A share rounded to 4 decimals (0.2143 = 21.43%), or null when the base is 0. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
