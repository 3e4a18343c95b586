import { describe, expect, it } from "vitest";
import {
  MAX_REJECTED_EXAMPLES,
  MAX_REJECTED_SHARE,
  classify,
  isAdjustment,
  isCancellation,
  isNonMerchandise,
  normaliseCustomer,
} from "~/ingest/rules";

describe("isCancellation", () => {
  it.each(["C536379", "c536379", "C", "C1"])("%j is a cancellation", (invoice) => {
    expect(isCancellation(invoice)).toBe(true);
  });
  it.each(["536379", "A563185", "", " C536379", "5C36379", "D536379"])("%j is not", (invoice) => {
    expect(isCancellation(invoice)).toBe(false);
  });
});

describe("isAdjustment", () => {
  it.each(["A563185", "a563185", "A"])("%j is an adjustment", (invoice) => {
    expect(isAdjustment(invoice)).toBe(true);
  });
  it.each(["563185", "C563185", "", " A563185", "B563185"])("%j is not", (invoice) => {
    expect(isAdjustment(invoice)).toBe(false);
  });
});

describe("isNonMerchandise", () => {
  it.each([
    "POST",
    "DOT",
    "C2",
    "M",
    "D",
    "S",
    "B",
    "CRUK",
    "PADS",
    "AMAZONFEE",
    "BANK CHARGES",
    "gift_0001_10",
    "gift_0001_20",
    "GIFT_0001_30",
  ])("%j is non-merchandise", (code) => {
    expect(isNonMerchandise(code)).toBe(true);
  });

  it.each(["post", "Post", "bank charges", "m", "amazonfee"])("%j matches case-insensitively", (code) => {
    expect(isNonMerchandise(code)).toBe(true);
  });

  it.each([
    "85123A",
    "22423",
    "84879",
    "POSTAGE",
    "DOTCOM",
    "MM",
    "C",
    "BANK",
    "BANKCHARGES",
    "",
    "10002",
    "xgift_0001",
    " POST",
  ])("%j is merchandise", (code) => {
    expect(isNonMerchandise(code)).toBe(false);
  });
});

describe("normaliseCustomer", () => {
  it.each([
    ["13085.0", "13085"],
    ["13085.00", "13085"],
    ["17850", "17850"],
    [" 17850 ", "17850"],
    ["\t17850\r", "17850"],
    ["00042", "00042"],
    ["00042.0", "00042"],
    ["13085.5", "13085.5"],
    ["13085.", "13085."],
    ["ABC-1", "ABC-1"],
    ["cust 7", "cust 7"],
  ])("%j → %j", (text, id) => {
    expect(normaliseCustomer(text)).toBe(id);
  });

  it.each(["", "  ", "\t", "\r\n"])("%j → null", (text) => {
    expect(normaliseCustomer(text)).toBeNull();
  });
});

describe("thresholds", () => {
  it("fails an import above 5% rejected lines and keeps 100 examples", () => {
    expect(MAX_REJECTED_SHARE).toBe(0.05);
    expect(MAX_REJECTED_EXAMPLES).toBe(100);
  });
});

// #10 item 6: the cleaning policy's classification of a read line, one pure function (PRODUCT.md §1 rules 2–4 and the
// sales-line rule); money in thousandths, `invoice` null when the file has no invoice column.
describe("classify", () => {
  it("keeps a positive quantity at a positive price as a sale", () => {
    expect(classify("536365", 6, 2550, 15_300)).toEqual({ kind: "sale", reason: null });
    expect(classify(null, 1, null, 9_990)).toEqual({ kind: "sale", reason: null }); // amount column, no invoice
  });

  it("calls an exact duplicate a duplicate before anything else, only with an invoice column", () => {
    expect(classify("536365", 6, 2550, 15_300, true)).toEqual({ kind: "duplicate", reason: null });
    expect(classify("C536379", -1, 27_500, -27_500, true)).toEqual({ kind: "duplicate", reason: null });
    expect(classify("A563185", 1, -11_062_060, -11_062_060, true)).toEqual({ kind: "duplicate", reason: null });
    // without an invoice column no line is a duplicate: the same line twice is two purchases
    expect(classify(null, 6, 2550, 15_300, true)).toEqual({ kind: "sale", reason: null });
  });

  it("makes a C invoice a return whatever its quantity and price", () => {
    for (const [q, p] of [
      [-1, 27_500],
      [1, 27_500],
      [-12, 0],
    ] as const)
      expect(classify("C536379", q, p, q * p)).toEqual({ kind: "return", reason: null });
    expect(classify("c536379", -1, 100, -100).kind).toBe("return");
  });

  it("calls an A invoice an accounting adjustment, invalid whatever its sign", () => {
    expect(classify("A563185", 1, 11_062_060, 11_062_060)).toEqual({
      kind: "invalid",
      reason: "accounting adjustment",
    });
    expect(classify("A563186", 1, -11_062_060, -11_062_060)).toEqual({
      kind: "invalid",
      reason: "accounting adjustment",
    });
  });

  it("calls a quantity of zero or less invalid (not a return without a C invoice)", () => {
    expect(classify("536365", 0, 2550, 0)).toEqual({ kind: "invalid", reason: "quantity not positive" });
    expect(classify("536365", -6, 2550, -15_300)).toEqual({ kind: "invalid", reason: "quantity not positive" });
    expect(classify(null, -1, null, -500)).toEqual({ kind: "invalid", reason: "quantity not positive" });
  });

  it("calls a zero price 'zero price' and a negative one 'negative price', from the price or the amount", () => {
    expect(classify("536365", 6, 0, 0)).toEqual({ kind: "invalid", reason: "zero price" });
    expect(classify("536365", 6, -2550, -15_300)).toEqual({ kind: "invalid", reason: "negative price" });
    expect(classify(null, 1, null, 0)).toEqual({ kind: "invalid", reason: "zero price" });
    expect(classify(null, 1, null, -500)).toEqual({ kind: "invalid", reason: "negative price" });
  });

  it("answers with constants: the same line gets the same object, nothing is allocated per line", () => {
    expect(classify("536365", 6, 2550, 15_300)).toBe(classify("536366", 1, 100, 100));
    expect(Object.isFrozen(classify("536365", 0, 2550, 0))).toBe(true);
  });
});
