import { createHash } from "node:crypto";
import type { Db } from "~/db/db.server";

/** A digest of every row of every table (sqlite_master lists them all, the history tables included). */
export function hashTables(db: Db): Record<string, string> {
  const tables = db.$client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((t) => [
      t,
      createHash("sha256")
        .update(JSON.stringify(db.$client.prepare(`SELECT * FROM "${t}" ORDER BY 1`).raw().all()))
        .digest("hex"),
    ]),
  );
}
