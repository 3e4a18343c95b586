import { describe, expect, it } from "vitest";
import {
  MAX_REJECTED_EXAMPLES,
  MAX_REJECTED_SHARE,
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
