import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { databasePath, projectRoot } from "./paths.server";
import * as schema from "./schema";
import { systemErrorCode } from "~/lib/errors";
import { processWide } from "~/lib/process.server";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Opens (creating if needed) the SQLite file and applies the drizzle migrations. */
export function openDb(path = databasePath()): Db {
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("cache_size = -65536");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: join(projectRoot(), "drizzle") });
  return db;
}

let shared: Db | undefined;

/** The server's one connection (indie-stack style singleton; survives dev rebuilds on globalThis). */
export function getDb(): Db {
  if (!shared) shared = processWide("db", openDb);
  return shared;
}

/** Runs `work` in one SQLite transaction (nested calls become savepoints): the drizzle calls inside share the connection. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work)();
}

/**
 * Runs `work` holding the write lock (BEGIN IMMEDIATE … COMMIT; ROLLBACK on any error), for work staged outside it (an
 * import or an update: decision 0005). Another connection holding the lock gets `busy()` thrown at once, not a wait.
 */
export async function underWriteLock<T>(db: Db, busy: () => Error, work: () => Promise<T> | T): Promise<T> {
  const sqlite = db.$client;
  try {
    sqlite.exec("BEGIN IMMEDIATE");
  } catch (err) {
    if (systemErrorCode(err) !== "SQLITE_BUSY") throw err;
    throw busy();
  }
  try {
    const out = await work();
    sqlite.exec("COMMIT");
    return out;
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw err;
  }
}
