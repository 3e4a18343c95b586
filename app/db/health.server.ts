import Database from "better-sqlite3";
import { existsSync } from "node:fs";

// The database file checked before the server uses it (#12 item 7): a file that is not SQLite, or has damaged pages,
// stopped the start with a raw stack trace (SQLITE_NOTADB) or started a server that answered 500s. PRAGMA quick_check
// reads every page (O(N), without the index cross-checks of integrity_check).

/** null when the file is usable (or does not exist yet: it will be created), else one line naming it and what to do. */
export function databaseProblem(path: string): string | null {
  if (!existsSync(path)) return null;
  const advice = "Move it aside or restore a backup, then start again (with no file, an empty database is created).";
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    const rows = sqlite.pragma("quick_check(3)", { simple: false }) as { quick_check: string }[];
    const found = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
    if (found.length)
      return `The database file ${path} is damaged (quick_check: ${found[0].replace(/\s+/g, " ").slice(0, 120)}). ${advice}`;
    return null;
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const what =
      code === "SQLITE_NOTADB"
        ? "is not a SQLite database"
        : code === "SQLITE_CORRUPT"
          ? "is damaged"
          : `cannot be read (${(err as Error).message.split("\n")[0].slice(0, 120)})`;
    return `The database file ${path} ${what}. ${advice}`;
  } finally {
    sqlite?.close();
  }
}
