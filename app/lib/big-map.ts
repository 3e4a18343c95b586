// A Map without V8's cap of 2²⁴ (16.8M) entries: full shards of SHARD entries, filled one after the other. Insertion
// order is kept (the import numbers orders in file order), a lookup tries the shards newest first (at 50M lines an
// import has three or four), and a key is never in two shards because set() updates the shard that holds it.
const SHARD = 1 << 23;

export class BigMap<K, V> implements Iterable<[K, V]> {
  private shards: Map<K, V>[] = [new Map()];
  private readonly shardSize: number;

  constructor(shardSize = SHARD) {
    this.shardSize = shardSize;
  }

  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }

  get(key: K): V | undefined {
    for (let i = this.shards.length - 1; i >= 0; i--) {
      const v = this.shards[i].get(key);
      if (v !== undefined || this.shards[i].has(key)) return v;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.shards.some((s) => s.has(key));
  }

  set(key: K, value: V): this {
    for (const s of this.shards) {
      if (s.has(key)) {
        s.set(key, value);
        return this;
      }
    }
    let last = this.shards[this.shards.length - 1];
    if (last.size >= this.shardSize) this.shards.push((last = new Map()));
    last.set(key, value);
    return this;
  }

  *values(): IterableIterator<V> {
    for (const s of this.shards) yield* s.values();
  }

  *keys(): IterableIterator<K> {
    for (const s of this.shards) yield* s.keys();
  }

  *entries(): IterableIterator<[K, V]> {
    for (const s of this.shards) yield* s.entries();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}
