import { count, desc, eq } from "drizzle-orm";
import { inTransaction, type Db } from "./db.server";
import { deleteDatasetRows } from "./load.server";
import { customers, datasetImports, datasets, settings } from "./schema";
import type { ImportReport, UpdateReport } from "~/types/import";

const ACTIVE = "active_dataset_id";

export type DatasetSummary = {
  id: number;
  name: string;
  /** imported from a file (its lines stored here), or read from a warehouse (issue 17). */
  kind: "imported" | "warehouse";
  fileName: string;
  format: string;
  encoding: string;
  dateFormat: string;
  importedAt: string;
  firstAt: string | null;
  lastAt: string | null;
  /** ISO 4217 code of the amounts, or null: plain numbers (issue 14). */
  currency: string | null;
  active: boolean;
  report: ImportReport;
};

export function setActiveDatasetId(db: Db, id: number) {
  db.insert(settings)
    .values({ key: ACTIVE, value: String(id) })
    .onConflictDoUpdate({ target: settings.key, set: { value: String(id) } })
    .run();
}

/** The data set the UI works on: the one the user chose, else the latest import. */
export function activeDatasetId(db: Db): number | null {
  const chosen = db.select().from(settings).where(eq(settings.key, ACTIVE)).get();
  if (
    chosen &&
    db
      .select({ id: datasets.id })
      .from(datasets)
      .where(eq(datasets.id, Number(chosen.value)))
      .get()
  )
    return Number(chosen.value);
  const latest = db.select({ id: datasets.id }).from(datasets).orderBy(desc(datasets.id)).limit(1).get();
  return latest?.id ?? null;
}

const summary = (row: typeof datasets.$inferSelect, active: number | null): DatasetSummary => {
  const { contentHash: _hash, report, ...d } = row;
  return { ...d, active: d.id === active, report: JSON.parse(report) as ImportReport };
};

export function listDatasets(db: Db): DatasetSummary[] {
  const active = activeDatasetId(db);
  return db
    .select()
    .from(datasets)
    .orderBy(desc(datasets.id))
    .all()
    .map((row) => summary(row, active));
}

export function getDataset(db: Db, id: number): DatasetSummary | null {
  const row = db.select().from(datasets).where(eq(datasets.id, id)).get();
  return row ? summary(row, activeDatasetId(db)) : null;
}

export function countDatasets(db: Db): number {
  return db.select({ n: count() }).from(datasets).get()?.n ?? 0;
}

/** Deletes a data set and its lines, orders and customers in one transaction. */
export function deleteDataset(db: Db, id: number): boolean {
  return inTransaction(db, () => {
    const exists = db.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, id)).get();
    if (!exists) return false;
    deleteDatasetRows(db, id);
    const chosen = db.select().from(settings).where(eq(settings.key, ACTIVE)).get();
    if (chosen && Number(chosen.value) === id) db.delete(settings).where(eq(settings.key, ACTIVE)).run();
    return true;
  });
}

/**
 * The data set imported from this file with this cut (`until`, undefined: the whole file), or null. The same file cut at
 * another day is another data set (a copy cut at 2011-10-31 beside the whole year), so only an equal cut matches.
 */
export function importedFrom(
  db: Db,
  contentHash: string,
  until: string | undefined,
): { id: number; name: string; importedAt: string } | null {
  const rows = db
    .select({ id: datasets.id, name: datasets.name, importedAt: datasets.importedAt, report: datasets.report })
    .from(datasets)
    .where(eq(datasets.contentHash, contentHash))
    .all();
  for (const { report, ...row } of rows) {
    // the import's own report (an update's combined report keeps the data set's, but read the entry that says it)
    const imported = datasetHistory(db, row.id).find((e) => e.kind === "import")?.report ?? JSON.parse(report);
    if ((imported as ImportReport).until === until) return row;
  }
  return null;
}

/** One entry of a data set's history (issue 13): its import, then each update, with the report of each. */
export type HistoryEntry = {
  id: number;
  kind: "import" | "update";
  fileName: string;
  importedAt: string;
  report: ImportReport | UpdateReport;
};

/** Each data set's history of imports and updates, oldest first. */
export function datasetHistory(db: Db, datasetId: number): HistoryEntry[] {
  return db
    .select()
    .from(datasetImports)
    .where(eq(datasetImports.datasetId, datasetId))
    .orderBy(datasetImports.id)
    .all()
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      fileName: r.fileName,
      importedAt: r.importedAt,
      report: JSON.parse(r.report) as ImportReport | UpdateReport,
    }));
}

/** Sets a data set's currency (an ISO 4217 code, checked by the caller, or null for plain numbers); false when it does not exist. */
export function setDatasetCurrency(db: Db, id: number, currency: string | null): boolean {
  return db.update(datasets).set({ currency }).where(eq(datasets.id, id)).run().changes > 0;
}

/** What an update reads of its data set before and again under the write lock (to see whether another changed it). */
export type UpdateTarget = Pick<typeof datasets.$inferSelect, "id" | "name" | "kind" | "lastAt" | "firstAt" | "report">;

/** A data set by its id or its name, with what an update needs; null when there is none. */
export function updateTarget(db: Db, dataset: number | string): UpdateTarget | null {
  return (
    db
      .select({
        id: datasets.id,
        name: datasets.name,
        kind: datasets.kind,
        lastAt: datasets.lastAt,
        firstAt: datasets.firstAt,
        report: datasets.report,
      })
      .from(datasets)
      .where(typeof dataset === "number" ? eq(datasets.id, dataset) : eq(datasets.name, dataset))
      .get() ?? null
  );
}

/** The number of a data set's stored customers. */
export function customerCount(db: Db, datasetId: number): number {
  return db.select({ n: count() }).from(customers).where(eq(customers.datasetId, datasetId)).get()?.n ?? 0;
}

/** An update's new span and combined report (JSON), written under its write lock. */
export function setDatasetSpan(
  db: Db,
  id: number,
  span: { firstAt: string | null; lastAt: string | null; report: string },
) {
  db.update(datasets).set(span).where(eq(datasets.id, id)).run();
}

/** Adds an import or an update to the data set's history (`datasetHistory`), with its report. */
export function recordImport(
  db: Db,
  entry: Omit<typeof datasetImports.$inferInsert, "id" | "report"> & { report: ImportReport | UpdateReport },
) {
  db.insert(datasetImports)
    .values({ ...entry, report: JSON.stringify(entry.report) })
    .run();
}
