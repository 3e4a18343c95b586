import { describe, expect, it } from "vitest";
import { BigMap } from "~/lib/big-map";

// The import's orders map past V8's 2²⁴-entry Map cap: small shards here stand in for the real 2²³.
describe("BigMap", () => {
  it("holds more entries than one shard, keeps insertion order, finds and updates every key", () => {
    const m = new BigMap<string, number>(4);
    for (let i = 0; i < 11; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(11);
    expect([...m.keys()]).toEqual(Array.from({ length: 11 }, (_, i) => `k${i}`));
    for (let i = 0; i < 11; i++) expect(m.get(`k${i}`)).toBe(i);
    m.set("k1", 100); // in the first shard: updated there, not added to the last
    expect(m.size).toBe(11);
    expect(m.get("k1")).toBe(100);
    expect([...m.values()][1]).toBe(100);
    expect(m.get("missing")).toBeUndefined();
    expect(m.has("k10")).toBe(true);
    expect(m.has("missing")).toBe(false);
  });

  it("tells a stored undefined from a missing key", () => {
    const m = new BigMap<string, number | undefined>(2);
    m.set("a", undefined).set("b", 1).set("c", 2);
    expect(m.has("a")).toBe(true);
    expect(m.get("a")).toBeUndefined();
    expect([...m]).toEqual([
      ["a", undefined],
      ["b", 1],
      ["c", 2],
    ]);
  });
});
