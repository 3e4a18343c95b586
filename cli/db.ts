import { openDb, type Db } from "~/db/db.server";
import { databasePath } from "~/db/paths.server";
import { deriveMissing } from "~/derive/derive.server";

/**
 * The database a command works on (`--db PATH`, else DATABASE_PATH), migrated, with every data set's derived tables in
 * place: a data set imported by an older version gets its segments derived here, once (as at server start).
 */
export function openCliDb(path: string | undefined): Db {
  const db = openDb(databasePath(path));
  const derived = deriveMissing(db);
  if (derived.length)
    process.stderr.write(
      `Derived the segments of ${derived.length} data set${derived.length > 1 ? "s" : ""} imported by an older version\n`,
    );
  return db;
}
