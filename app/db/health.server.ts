import Database from "better-sqlite3";
import { existsSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { systemErrorCode, messageOf } from "~/lib/errors";

// The database file checked before the server uses it (#12 item 7): a file that is not SQLite, or has damaged pages,
// stopped the start with a raw stack trace (SQLITE_NOTADB) or started a server that answered 500s. PRAGMA quick_check
// reads every page (O(N), without the index cross-checks of integrity_check): 2 s at 5M lines on a loaded machine, a
// third of a cold start once the columns load from their file (issue 15). A clean check leaves a stamp beside the file
// (`<db>.checked`: size and modification time of the file and its WAL); a start that finds the files exactly as stamped
// skips the check. Any write (an import, a page that saves something) changes the WAL or the file, and the next start
// checks again.

const stampOf = (path: string): string => {
  const part = (p: string) => {
    try {
      const s = statSync(p);
      return s.size === 0 ? "empty" : `${s.size}:${s.mtimeMs}:${s.ino}`; // every open touches an empty WAL
    } catch {
      return "empty";
    }
  };
  return `${part(path)}|${part(`${path}-wal`)}`;
};

/**
 * Whether the file is exactly as a clean check left it, or does not exist yet (it will be created): a process that
 * finds it so and then writes it through SQLite only may stamp it again when it is done (stampOwnWrites).
 */
export function checkedAsIs(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    return readFileSync(`${path}.checked`, "utf8") === stampOf(path);
  } catch {
    return false;
  }
}

/**
 * Stamps a file this process found checked (checkedAsIs) and has since written through SQLite only, once it has closed
 * it: the next start need not read every page again (7 s of a cold start at 15M lines right after a CLI import).
 * SQLite's own writes are not what the check looks for (a foreign or torn file, damaged pages); decision 0034.
 */
export function stampOwnWrites(path: string) {
  if (!existsSync(path)) return;
  try {
    writeFileSync(`${path}.checked`, stampOf(path));
  } catch {
    /* a read-only folder: the next start checks */
  }
}

/** null when the file is usable (or does not exist yet: it will be created), else one line naming it and what to do. */
export function databaseProblem(path: string): string | null {
  if (!existsSync(path)) return null;
  const advice = "Move it aside or restore a backup, then start again (with no file, an empty database is created).";
  let sqlite: Database.Database | undefined;
  const stamp = `${path}.checked`;
  try {
    const before = stampOf(path);
    if (readFileSync(stamp, "utf8") === before) return null;
  } catch {
    /* no stamp: check */
  }
  try {
    const before = stampOf(path);
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    const rows = sqlite.pragma("quick_check(3)", { simple: false }) as { quick_check: string }[];
    const found = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
    if (found.length)
      return `The database file ${path} is damaged (quick_check: ${found[0].replace(/\s+/g, " ").slice(0, 120)}). ${advice}`;
    sqlite.close();
    sqlite = undefined;
    // stamped only when nothing moved during the check (a file written meanwhile is checked at the next start)
    if (stampOf(path) === before) {
      try {
        writeFileSync(stamp, before);
      } catch {
        /* a read-only folder: check at every start */
      }
    }
    return null;
  } catch (err) {
    const code = systemErrorCode(err) ?? "";
    const what =
      code === "SQLITE_NOTADB"
        ? "is not a SQLite database"
        : code === "SQLITE_CORRUPT"
          ? "is damaged"
          : `cannot be read (${messageOf(err).split("\n")[0].slice(0, 120)})`;
    return `The database file ${path} ${what}. ${advice}`;
  } finally {
    sqlite?.close();
  }
}
