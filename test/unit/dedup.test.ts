import { describe, expect, it } from "vitest";
import { LineSet } from "~/ingest/dedup";

describe("LineSet", () => {
  it("returns true the first time and false for equal fields", () => {
    const set = new LineSet();
    expect(set.add(["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6"])).toBe(true);
    expect(set.add(["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6"])).toBe(false);
    expect(set.add(["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6"])).toBe(false);
  });

  it("compares by value, not by array identity", () => {
    const set = new LineSet();
    const fields = ["a", "b"];
    expect(set.add(fields)).toBe(true);
    expect(set.add([..."ab"])).toBe(false);
    expect(set.add(fields.slice())).toBe(false);
  });

  it("returns true for lines that differ in any field", () => {
    const set = new LineSet();
    expect(set.add(["536365", "85123A", "6"])).toBe(true);
    expect(set.add(["536365", "85123A", "7"])).toBe(true);
    expect(set.add(["536366", "85123A", "6"])).toBe(true);
    expect(set.add(["536365", "85123a", "6"])).toBe(true); // case matters
    expect(set.add(["536365", "85123A", "6 "])).toBe(true); // whitespace matters
    expect(set.add(["536365", "85123A", "6"])).toBe(false);
  });

  it("counts field boundaries", () => {
    const set = new LineSet();
    expect(set.add(["ab", "c"])).toBe(true);
    expect(set.add(["a", "bc"])).toBe(true);
    expect(set.add(["abc"])).toBe(true);
    expect(set.add(["a", "b", "c"])).toBe(true);
    expect(set.add(["ab", "c"])).toBe(false);
    expect(set.add(["a", "bc"])).toBe(false);
  });

  it("distinguishes empty fields and field counts", () => {
    const set = new LineSet();
    expect(set.add([])).toBe(true);
    expect(set.add([""])).toBe(true);
    expect(set.add(["", ""])).toBe(true);
    expect(set.add(["a"])).toBe(true);
    expect(set.add(["a", ""])).toBe(true);
    expect(set.add(["", "a"])).toBe(true);
    for (const f of [[], [""], ["", ""], ["a"], ["a", ""], ["", "a"]]) expect(set.add(f)).toBe(false);
  });

  it("does not confuse a separator-like character with a field boundary", () => {
    const set = new LineSet();
    expect(set.add(["a", "b"])).toBe(true);
    expect(set.add(["a\x1fb"])).toBe(true);
    expect(set.add(["a,b"])).toBe(true);
  });

  it("handles non-ASCII text", () => {
    const set = new LineSet();
    expect(set.add(["£1 OFF", "€"])).toBe(true);
    expect(set.add(["£1 OFF", "€"])).toBe(false);
    expect(set.add(["£1 OFF", "é"])).toBe(true);
  });

  it("keeps separate sets independent", () => {
    const a = new LineSet();
    const b = new LineSet();
    expect(a.add(["x"])).toBe(true);
    expect(b.add(["x"])).toBe(true);
    expect(a.add(["x"])).toBe(false);
  });

  it("keeps every earlier entry when it grows beyond its initial capacity", () => {
    const set = new LineSet();
    const N = 300_000;
    const line = (i: number) => [
      String(536365 + (i >> 4)),
      `SKU${i}`,
      "DESC",
      String(i % 97),
      "12/1/2010 8:26",
      "2.55",
      String(12346 + (i % 4000)),
      "United Kingdom",
    ];
    for (let i = 0; i < N; i++)
      if (!set.add(line(i))) throw new Error(`line ${i} reported as a duplicate on first add`);
    let firstAddedAgain = -1;
    for (let i = 0; i < N; i++) {
      if (set.add(line(i))) {
        firstAddedAgain = i;
        break;
      }
    }
    expect(firstAddedAgain).toBe(-1);
  });

  it("works the same when sized up front", () => {
    const set = new LineSet(100_000);
    let fresh = 0;
    for (let i = 0; i < 100_000; i++) if (set.add([String(i)])) fresh++;
    expect(fresh).toBe(100_000);
    let dupes = 0;
    for (let i = 0; i < 100_000; i++) if (!set.add([String(i)])) dupes++;
    expect(dupes).toBe(100_000);
  });
});
