// How small and large numbers are printed, for pages, reports and CLI text alike: fixed decimals while they show the
// value, significant digits once the fixed decimals would print a non-zero value as 0 ("0.004%", never "0.0%").

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const superscript = (n: number) =>
  (n < 0 ? "⁻" : "") +
  String(Math.abs(n))
    .split("")
    .map((d) => SUPERSCRIPT[Number(d)])
    .join("");

/**
 * A number with `digits` significant digits: plain while 0.001 ≤ |x| < 10⁶ ("0.0137", "1.20", "12,300"), else in
 * powers of ten ("1.37 × 10⁻⁵").
 */
export function significant(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 10 ** digits && abs < 1e6) return x.toLocaleString("en-GB", { maximumSignificantDigits: digits });
  if (abs >= 1e-3 && abs < 1e6) return x.toPrecision(digits);
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${mantissa} × 10${superscript(Number(exponent))}`;
}

/**
 * A share (0.123) as a percentage with `digits` decimals ("12.3%"); a non-zero share those decimals would print as
 * 0 gets two significant digits instead ("0.0041%", "-0.0041%"), below 10⁻⁶ % in powers of ten.
 */
export function percentText(x: number, digits = 1): string {
  const value = x * 100;
  if (value === 0 || Math.abs(value) >= 0.5 * 10 ** -digits) return `${value.toFixed(digits)}%`;
  if (Math.abs(value) < 1e-6) return `${significant(value, 2)}%`;
  return `${Number(value.toPrecision(2))}%`;
}

/**
 * A change as a signed percentage: "+12.3%", "-5.0%", "0.0%". Negative figures keep the hyphen-minus every other number
 * of the product prints (money through Intl, CSV), so that one page never mixes two minus signs and a spreadsheet reads
 * a pasted figure.
 */
export function signedPercentText(x: number, digits = 1): string {
  const text = percentText(x, digits);
  return x > 0 ? `+${text}` : text;
}
