import { describe, expect, it } from "vitest";
import { percentText, signedPercentText, significant } from "~/lib/numbers";

// Small values keep their significant digits: "break-even 0.0%" and "θ = 0.00001373" were what the pages printed.
describe("number formats", () => {
  it("prints significant digits, in powers of ten outside 0.001 to a million", () => {
    expect(significant(0.00001373)).toBe("1.37 × 10⁻⁵");
    expect(significant(-2.5e-9, 2)).toBe("-2.5 × 10⁻⁹");
    expect(significant(0.0137)).toBe("0.0137");
    expect(significant(1.2)).toBe("1.20");
    expect(significant(12345)).toBe("12,300");
    expect(significant(3.2e7)).toBe("3.20 × 10⁷");
    expect(significant(0)).toBe("0");
  });

  it("prints a share with fixed decimals, or two significant digits where those would show 0", () => {
    expect(percentText(0.123)).toBe("12.3%");
    expect(percentText(0.0005)).toBe("0.1%");
    expect(percentText(0.0000412)).toBe("0.0041%");
    expect(percentText(-0.0000412)).toBe("-0.0041%");
    expect(percentText(0.0004, 1)).toBe("0.04%");
    expect(percentText(0.00004, 0)).toBe("0.004%");
    expect(percentText(1e-12)).toBe("1.0 × 10⁻¹⁰%");
    expect(percentText(0)).toBe("0.0%");
  });

  // one minus sign on every page (the guardrail table showed "-31.83%" beside "−5.0%"), and a plus on a gain
  it("prints a change with its sign: a plus on a gain, the hyphen-minus of every other figure on a loss", () => {
    expect(signedPercentText(0.1783, 2)).toBe("+17.83%");
    expect(signedPercentText(-0.3183, 2)).toBe("-31.83%");
    expect(signedPercentText(0)).toBe("0.0%");
    expect(signedPercentText(0.0000412)).toBe("+0.0041%");
    expect(signedPercentText(-0.05)).toBe("-5.0%");
  });
});
