import { describe, expect, it } from "vitest";
import { MILLI_PER_UNIT, milliToCents, milliToMoney, parseMilli } from "~/ingest/money";
import { formatMoney as formatUnits } from "~/lib/currency";

// thousandths as the pages show them with no currency: rounded to the cent (half away from zero), then formatted
const formatMoney = (milli: number) => formatUnits(milliToMoney(milli), null);

const ok = (text: string) => {
  const r = parseMilli(text);
  if (!r.ok) throw new Error(`expected "${text}" to parse, got: ${r.reason}`);
  return r.milli;
};
const reason = (text: string) => {
  const r = parseMilli(text);
  if (r.ok) throw new Error(`expected "${text}" to be rejected, got ${r.milli}`);
  return r.reason;
};

describe("parseMilli", () => {
  it("has 1000 thousandths per unit", () => {
    expect(MILLI_PER_UNIT).toBe(1000);
  });

  it.each([
    ["0", 0],
    ["7", 7000],
    ["12", 12000],
    ["2.55", 2550],
    ["12.34", 12340],
    ["0.001", 1],
    ["0.01", 10],
    ["0.1", 100],
    ["1.5", 1500],
    ["1.005", 1005],
    ["65.000", 65000],
    ["99999999999", 99999999999000], // 11 digits: the fast path's limit
    ["99999999999.999", 99999999999999],
  ])("fast path: %s → %i", (text, milli) => {
    expect(parseMilli(text)).toEqual({ ok: true, milli });
  });

  it.each([
    ["-1.25", -1250],
    ["-1", -1000],
    ["-0.001", -1],
    ["+3.5", 3500],
    [".5", 500],
    ["-.5", -500],
    ["1.", 1000],
    ["1.2300", 1230],
    ["1.000000", 1000],
    ["0.0010", 1],
    ["007", 7000],
    ["007.50", 7500],
    ["000000000001", 1000], // 12 digits with leading zeros
    ["123456789012", 123456789012000], // exactly 12 integer digits (slow path)
    ["999999999999.999", 999999999999999],
  ])("slow path / edge forms: %s → %i", (text, milli) => {
    expect(ok(text)).toBe(milli);
  });

  it("gives exact integers (no binary floating-point drift)", () => {
    for (const [text, milli] of [
      ["0.1", 100],
      ["0.2", 200],
      ["0.3", 300],
      ["1.001", 1001],
      ["4.35", 4350],
      ["1.15", 1150],
    ] as const) {
      const got = ok(text);
      expect(Number.isInteger(got)).toBe(true);
      expect(got).toBe(milli);
    }
  });

  it("agrees between the fast and slow paths for the same value", () => {
    // "1.5" goes the fast way; "+1.5", "1.50000" and "01.5" (still fast) / "-1.5" negated must agree in magnitude
    expect(ok("1.5")).toBe(ok("+1.5"));
    expect(ok("1.5")).toBe(ok("1.50000"));
    expect(ok("1.5")).toBe(-ok("-1.5"));
    expect(ok("0.5")).toBe(ok(".5"));
    expect(ok("3")).toBe(ok("3."));
  });

  it.each([
    "1e999",
    "1e3",
    "1E3",
    "NaN",
    "Infinity",
    "-Infinity",
    "",
    "abc",
    "-",
    "+",
    ".",
    "-.",
    "1.2.3",
    "1,5",
    "1,234.56",
    " 1",
    "1 ",
    "12abc",
    "1.2a",
    "0x10",
    "--1",
    "£1.50",
    "1.-5",
  ])("rejects %j as not a number", (text) => {
    expect(reason(text)).toBe("is not a number");
  });

  it.each(["1.2345", "0.0001", "2.5501", "1.0001", "-1.2345", "1.23456789"])(
    "rejects %s: more than 3 non-zero decimals",
    (text) => {
      expect(reason(text)).toBe("has more than 3 decimal places");
    },
  );

  it.each(["1234567890123", "9999999999999.5", "-1234567890123", "1000000000000"])(
    "rejects %s: more than 12 integer digits",
    (text) => {
      expect(reason(text)).toBe("is too large");
    },
  );

  it("returns a reason string with every failure", () => {
    const r = parseMilli("abc");
    expect(r).toEqual({ ok: false, reason: expect.any(String) });
  });
});

describe("milliToCents", () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 1],
    [9, 1],
    [10, 1],
    [14, 1],
    [15, 2],
    [1004, 100],
    [1005, 101],
    [2555, 256],
    [2554, 255],
    [123456, 12346],
    [-5, -1],
    [-6, -1],
    [-15, -2],
    [-1005, -101],
    [-1004, -100],
    [-2555, -256],
  ])("%i thousandths → %i cents", (milli, cents) => {
    expect(milliToCents(milli)).toBe(cents);
  });

  it("rounds small negatives to zero", () => {
    // -4 thousandths rounds to zero cents (compared with ===, so -0 and 0 both count as zero)
    expect(milliToCents(-4) === 0).toBe(true);
    expect(milliToCents(-1) === 0).toBe(true);
  });

  it("is symmetric around zero (half away from zero)", () => {
    for (let m = 0; m <= 2000; m++) {
      const pos = milliToCents(m);
      const neg = milliToCents(-m);
      expect(pos + neg === 0).toBe(true);
    }
  });

  it("is exact for large amounts", () => {
    expect(milliToCents(999_999_999_999_995)).toBe(100_000_000_000_000);
    expect(milliToCents(999_999_999_999_994)).toBe(99_999_999_999_999);
  });
});

describe("milliToMoney", () => {
  it.each([
    [0, 0],
    [2550, 2.55],
    [1005, 1.01],
    [1004, 1],
    [-1005, -1.01],
    [5, 0.01],
    [123456789, 123456.79],
  ])("%i → %d", (milli, money) => {
    expect(milliToMoney(milli)).toBe(money);
  });
});

describe("thousandths shown as money (milliToMoney, then formatMoney)", () => {
  it.each([
    [0, "0.00"],
    [5, "0.01"],
    [4, "0.00"],
    [10, "0.01"],
    [2550, "2.55"],
    [1005, "1.01"],
    [100_000, "100.00"],
    [1_234_560, "1,234.56"],
    [1_234_567, "1,234.57"],
    [1_000_000_000, "1,000,000.00"],
    [-5, "-0.01"],
    [-2550, "-2.55"],
    [-1_234_567, "-1,234.57"],
    [-4, "0.00"],
  ])("%i → %s", (milli, text) => {
    expect(formatMoney(milli)).toBe(text);
  });

  it("round-trips with parseMilli for cent values", () => {
    for (const text of ["0.01", "0.99", "12.34", "999.10", "1234.56"]) {
      expect(formatMoney(ok(text)).replace(/,/g, "")).toBe(text);
    }
  });
});
