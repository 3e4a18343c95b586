import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDb, type Db } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { importAndDerive, type ImportAndDeriveOptions } from "~/derive/derive.server";
import { writeDemoCsv } from "../../seed/generate";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const fixture = (name: string) => join(FIXTURES, name);

/** A fresh SQLite file with the migrations applied, in its own temporary folder. */
export function tempDb(): { db: Db; path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "campaign-lab-test-"));
  const path = join(dir, "test.db");
  const db = openDb(path);
  return {
    db,
    path,
    dir,
    cleanup: () => (db.$client.open && db.$client.close(), rmSync(dir, { recursive: true, force: true })),
  };
}

/** Everything a failed import must leave untouched: every row of every table, as a comparable string digest. */
export function snapshot(db: Db): Record<string, string> {
  const tables = [
    "datasets",
    "settings",
    "lines",
    "orders",
    "products",
    "customers",
    "customer_rfm",
    "persona_runs",
    "personas",
    "segment_runs",
    "audiences",
    "experiments",
    "experiment_versions",
    "assignments",
    "experiment_results",
    "experiment_outcomes",
  ];
  return Object.fromEntries(
    tables.map((t) => {
      const rows = db.$client.prepare(`SELECT * FROM ${t} ORDER BY 1`).all();
      return [t, `${rows.length}:${JSON.stringify(rows).length}:${JSON.stringify(rows.slice(0, 50))}`];
    }),
  );
}

/** Imports a file through the real use case (RFM, segments and personas derived in its transaction, as the CLI does); its id. */
export async function importForTest(db: Db, path: string, options: ImportAndDeriveOptions = {}): Promise<number> {
  await importAndDerive(db, path, options);
  return activeDatasetId(db)!;
}

/** Writes the project's generated shop (seed/generate: `lines` lines from `seed`) beside the database and imports it; its id. */
export async function importGenerated(t: { db: Db; dir: string }, lines: number, seed: number): Promise<number> {
  const file = join(t.dir, "demo.csv");
  await writeDemoCsv(file, { lines, seed });
  return importForTest(t.db, file);
}
