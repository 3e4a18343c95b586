import { systemErrorCode } from "./errors";
/** Whether a process with this pid is running (signal 0 tests without sending; EPERM: it runs as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return systemErrorCode(err) === "EPERM";
  }
}

declare global {
  // one map on globalThis for all of them (a `var` is what `declare global` needs)
  // eslint-disable-next-line no-var
  var __campaignLabProcessWide: Map<string, unknown> | undefined;
}

/**
 * State kept once per process under `key` (the connection, the facts, the memo, the CLV models, the job records):
 * Remix's dev server imports the modules again on every rebuild, and a module's own cache would be loaded twice.
 */
export function processWide<T>(key: string, make: () => T): T {
  const all = (globalThis.__campaignLabProcessWide ??= new Map());
  if (!all.has(key)) all.set(key, make());
  return all.get(key) as T;
}
