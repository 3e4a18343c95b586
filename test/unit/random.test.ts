import { describe, expect, it } from "vitest";
import { Random, WeightedPicker, childSeed } from "../../seed/random";

const draws = (r: Random, n: number) => Array.from({ length: n }, () => r.next());

describe("Random", () => {
  it("is deterministic for a seed", () => {
    expect(draws(new Random(42), 100)).toEqual(draws(new Random(42), 100));
    expect(draws(new Random(0), 10)).toEqual(draws(new Random(0), 10));
  });

  it("differs between seeds", () => {
    expect(draws(new Random(42), 10)).not.toEqual(draws(new Random(43), 10));
    expect(draws(new Random(1), 10)).not.toEqual(draws(new Random(2), 10));
  });

  it("draws uniformly in [0, 1)", () => {
    const r = new Random(7);
    const xs = draws(r, 20_000);
    for (const x of xs) {
      if (!(x >= 0 && x < 1)) throw new Error(`out of range: ${x}`);
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(new Set(xs).size).toBeGreaterThan(19_900);
  });

  it("int(lo, hi) stays within both bounds and reaches each", () => {
    const r = new Random(3);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const v = r.int(1, 6);
      if (!Number.isInteger(v) || v < 1 || v > 6) throw new Error(`out of range: ${v}`);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Random(3).int(5, 5)).toBe(5);
  });

  it("chance(p) is never true for 0, always for 1, and about p otherwise", () => {
    const r = new Random(11);
    let zero = 0;
    let one = 0;
    let third = 0;
    for (let i = 0; i < 10_000; i++) {
      if (r.chance(0)) zero++;
      if (r.chance(1)) one++;
      if (r.chance(0.3)) third++;
    }
    expect(zero).toBe(0);
    expect(one).toBe(10_000);
    expect(third / 10_000).toBeGreaterThan(0.27);
    expect(third / 10_000).toBeLessThan(0.33);
  });

  it("pick returns an element of the list", () => {
    const r = new Random(5);
    const items = ["a", "b", "c"] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
  });

  it("draws distributions with plausible moments", () => {
    const r = new Random(9);
    const N = 20_000;
    const normals = Array.from({ length: N }, () => r.normal());
    const mean = normals.reduce((a, b) => a + b, 0) / N;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / N;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);

    const exps = Array.from({ length: N }, () => r.exponential(2));
    expect(exps.every((x) => x >= 0)).toBe(true);
    expect(exps.reduce((a, b) => a + b, 0) / N).toBeCloseTo(0.5, 1);

    const gammas = Array.from({ length: N }, () => r.gamma(0.9, 2));
    expect(gammas.every((x) => x > 0)).toBe(true);
    expect(gammas.reduce((a, b) => a + b, 0) / N).toBeCloseTo(1.8, 0);

    const betas = Array.from({ length: N }, () => r.beta(1, 5));
    expect(betas.every((x) => x > 0 && x < 1)).toBe(true);
    expect(betas.reduce((a, b) => a + b, 0) / N).toBeCloseTo(1 / 6, 1);

    const logs = Array.from({ length: N }, () => r.logNormal(14, 0.7)).sort((a, b) => a - b);
    expect(logs.every((x) => x > 0)).toBe(true);
    expect(logs[N / 2]).toBeGreaterThan(13);
    expect(logs[N / 2]).toBeLessThan(15);
  });
});

describe("WeightedPicker", () => {
  it("never picks a zero-weight index and follows the weights", () => {
    const picker = new WeightedPicker([1, 0, 3]);
    const r = new Random(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[picker.pick(r)]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.7);
    expect(counts[2] / counts[0]).toBeLessThan(3.3);
  });

  it("always picks the only index with weight", () => {
    const picker = new WeightedPicker([0, 0, 5, 0]);
    const r = new Random(2);
    for (let i = 0; i < 100; i++) expect(picker.pick(r)).toBe(2);
  });

  it("is deterministic for a seed", () => {
    const picker = new WeightedPicker([5, 1, 1, 2]);
    const a = new Random(8);
    const b = new Random(8);
    expect(Array.from({ length: 50 }, () => picker.pick(a))).toEqual(Array.from({ length: 50 }, () => picker.pick(b)));
  });
});

describe("childSeed", () => {
  it("is deterministic, unsigned 32-bit, and distinct across indexes and seeds", () => {
    expect(childSeed(42, 3)).toBe(childSeed(42, 3));
    const seeds = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const s = childSeed(42, i);
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
      seeds.add(s);
    }
    expect(seeds.size).toBe(1000);
    expect(childSeed(42, 0)).not.toBe(childSeed(43, 0));
  });
});
