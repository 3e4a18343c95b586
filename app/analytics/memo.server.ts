import { processWide } from "~/lib/process.server";

// Computed results by key (data set, data version, report, filter…): a result is reused until its data changes (the
// keys carry the data set's version, and a reload of the facts clears the memo) or it falls out of this LRU. The LRU
// is bounded by entries and by bytes: a CLV fit keeps every customer's row, so a few calibration ends fill memory.
type Entry = { value: unknown; bytes: number };
const store = processWide("memo", () => new Map<string, Entry>());
const SIZE = 256;
const MEMO_MAX_BYTES = Number(process.env.MEMO_MAX_MB ?? 256) * 1024 ** 2;
let total = 0;

/** A small result's size for the byte bound (most entries are a page's figures: a few kilobytes). */
const SMALL = 4096;

export function memo<T>(key: string, compute: () => T, bytes?: (value: T) => number): T {
  const hit = store.get(key);
  if (hit) {
    store.delete(key);
    store.set(key, hit);
    return hit.value as T;
  }
  const value = compute();
  const size = bytes ? bytes(value) : SMALL;
  store.set(key, { value, bytes: size });
  total += size;
  while (store.size > 1 && (store.size > SIZE || total > MEMO_MAX_BYTES)) {
    const [oldest, entry] = store.entries().next().value!;
    store.delete(oldest);
    total -= entry.bytes;
  }
  return value;
}

/** Forgets every result (the facts of a data set were reloaded because its data changed). */
export function forgetMemo(): void {
  store.clear();
  total = 0;
}
