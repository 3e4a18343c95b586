import { describe, expect, it } from "vitest";
import {
  currencySchema,
  defaultCurrency,
  formatMoney,
  formatMoneyCompact,
  moneyHeader,
  moneyHeaders,
  optionalCurrencySchema,
} from "~/lib/currency";
import { effectText, setActiveCurrency } from "~/components/format";

// The one money formatter (issue 14): Intl.NumberFormat with the data set's ISO 4217 code, en-GB grouping.
describe("currency", () => {
  it("formats money with the data set's currency, or as a plain number without one", () => {
    expect(formatMoney(1234.5, "GBP")).toBe("£1,234.50");
    expect(formatMoney(-20, "GBP")).toBe("-£20.00");
    expect(formatMoney(1234.5, "EUR")).toBe("€1,234.50");
    expect(formatMoney(1234.5, null)).toBe("1,234.50");
    expect(formatMoneyCompact(1_500_000, "GBP")).toBe("£1.5m");
    expect(formatMoneyCompact(1_500_000, null)).toBe("1.5m");
    expect(moneyHeader("revenue", "GBP")).toBe("revenue (GBP)");
    expect(moneyHeader("revenue", null)).toBe("revenue");
  });

  it("accepts ISO 4217 codes in any case and refuses others", () => {
    expect(currencySchema.parse(" usd ")).toBe("USD");
    expect(currencySchema.safeParse("EURO").success).toBe(false);
    expect(currencySchema.safeParse("XQZ").success).toBe(false);
    expect(optionalCurrencySchema.parse("")).toBeNull();
    expect(optionalCurrencySchema.parse(null)).toBeNull();
  });

  it("defaults to GBP for the two Online Retail layouts only", () => {
    expect([defaultCurrency("online-retail"), defaultCurrency("online-retail-ii"), defaultCurrency("mapped")]).toEqual([
      "GBP",
      "GBP",
      null,
    ]);
  });

  it("names the currency on a CSV's money columns only", () => {
    expect(moneyHeaders(["campaign", "spend", "return_per_spend"], ["spend"], "GBP")).toEqual([
      "campaign",
      "spend (GBP)",
      "return_per_spend",
    ]);
    expect(moneyHeaders(["campaign", "spend"], ["spend"], null)).toEqual(["campaign", "spend"]);
  });

  it("shows the power calculator's revenue effect in the currency; a conversion effect stays in points", () => {
    setActiveCurrency("GBP");
    expect([effectText(1.25, "mean"), effectText(0.00899, "proportion")]).toEqual(["£1.25", "0.899 pts"]);
    setActiveCurrency("EUR");
    expect(effectText(1234.5, "mean")).toBe("€1,234.50");
    setActiveCurrency(null);
    expect(effectText(1.25, "mean")).toBe("1.25");
  });
});
