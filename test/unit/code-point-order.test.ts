import { describe, expect, it } from "vitest";
import { sortByCodePoint } from "~/lib/code-point-order";

// The order SQLite's `ORDER BY` gives TEXT (BINARY: UTF-8 bytes), which the import's in-memory sorts must reproduce.
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("sortByCodePoint", () => {
  it("orders ASCII and Latin-1 ids as UTF-8 bytes, keeping equal keys in their order", () => {
    const ids = ["17850", "12346", "C12346", "é1", "12346", "a", "Z", "", "123460"];
    const rows = ids.map((id, i) => ({ id, i }));
    const sorted = sortByCodePoint([...rows], (r) => r.id);
    expect(sorted.map((r) => r.id)).toEqual([...ids].sort(byBytes));
    const twins = sorted.filter((r) => r.id === "12346").map((r) => r.i);
    expect(twins).toEqual([1, 4]);
  });

  it("puts U+FF01 before an emoji (U+1F600), where UTF-16 code units would put it after", () => {
    const ids = ["😀", "\uFF01", "abc", "\uE000", "𝔸x", "ä"];
    expect([...ids].sort()).not.toEqual([...ids].sort(byBytes)); // the case the plain comparison gets wrong
    const sorted = sortByCodePoint([...ids], (s) => s);
    expect(sorted).toEqual([...ids].sort(byBytes));
    expect(sorted.slice(-4)).toEqual(["\uE000", "\uFF01", "𝔸x", "😀"]);
  });

  it("matches the byte order on random keys with and without characters past U+D7FF", () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const alphabets = ["0123456789", "0123456789aZé\u00ff\u0100\u4e2d\uE000\uFF01😀𝔸"];
    for (const alphabet of alphabets) {
      const chars = Array.from(alphabet);
      const ids = Array.from({ length: 2000 }, () =>
        Array.from({ length: 1 + (next() % 6) }, () => chars[next() % chars.length]).join(""),
      );
      expect(sortByCodePoint([...ids], (s) => s)).toEqual([...ids].sort(byBytes));
    }
  });
});
