import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "~/db/db.server";
import { importAndDerive } from "~/derive/derive.server";
import type { ImportProgress } from "~/ingest/import.server";
import type { ImportReport } from "~/ingest/report";
import { writeDemoCsv, type SeedOptions } from "./generate";

/** The name of the demo data set, loaded on first start and by `seed`. */
export const DEMO_WORKSPACE = "Demo shop";

type DemoImportOptions = { name?: string; fileName?: string; onProgress?: (p: ImportProgress) => void };

/**
 * Writes the demo file to a temporary folder and imports it through the same use case as any user's file, segments and
 * personas derived in the import's transaction (`seed` without --out, and the server's first start).
 */
export async function importDemo(
  db: Db,
  options: SeedOptions,
  { name = DEMO_WORKSPACE, fileName = `demo-online-retail-${options.seed}.csv`, onProgress }: DemoImportOptions = {},
): Promise<ImportReport> {
  const dir = await mkdtemp(join(tmpdir(), "campaign-lab-demo-"));
  try {
    const file = join(dir, fileName);
    await writeDemoCsv(file, options);
    return await importAndDerive(db, file, { name, onProgress });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
