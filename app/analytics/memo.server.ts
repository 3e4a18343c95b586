// Computed reports by (data set, report, filter): a data set never changes after its import, so a result can be
// reused until it falls out of this small LRU.
const store = ((globalThis as { __campaignLabMemo?: Map<string, unknown> }).__campaignLabMemo ??= new Map<string, unknown>());
const SIZE = 64;

export function memo<T>(key: string, compute: () => T): T {
  if (store.has(key)) {
    const value = store.get(key) as T;
    store.delete(key);
    store.set(key, value);
    return value;
  }
  const value = compute();
  store.set(key, value);
  while (store.size > SIZE) store.delete(store.keys().next().value!);
  return value;
}
