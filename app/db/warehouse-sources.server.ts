import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "./db.server";
import { setActiveDatasetId } from "./datasets.server";
import { replaceCustomers } from "./load.server";
import { datasetImports, datasets, warehouseSources } from "./schema";
import { maskUrl } from "./warehouse.server";
import { AppError } from "~/lib/errors";
import type { CustomerFacts, ImportReport } from "~/types/import";
import type { WarehouseSource } from "~/types/warehouse";

// The warehouse data sets' connections (issue 17). The URL with its password lives only in warehouse_sources.url of
// the SQLite file; this module is the only reader of that column, and hands it to the warehouse client alone. Pages,
// the API, the CLI and logs get `WarehouseInfo`, which carries the masked form.

/** What may be shown of a warehouse data set's connection: never the password. */
export type WarehouseInfo = {
  maskedUrl: string;
  ordersTable: string;
  mapping: WarehouseSource["map"];
  assignmentsSchema: string | null;
  connectedAt: string;
};

export type NewWarehouseDataset = {
  name: string;
  url: string;
  source: WarehouseSource;
  assignmentsSchema: string | null;
  currency: string | null;
  report: ImportReport;
  /** Its customers as the import keeps them (their country for audiences and the members table), from the warehouse. */
  customers: CustomerFacts[];
};

/** Refuses a name another data set has (checked again in the write, under the lock). */
export function checkDatasetName(db: Db, name: string): void {
  if (name.trim() === "") throw new AppError("name: the data set name is empty");
  if (db.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, name)).get())
    throw new AppError(`name: a data set named "${name}" already exists; choose another name`, "conflict");
}

/**
 * Stores a connected warehouse table as a data set, with its report and customers, and makes it the active one, in one
 * transaction; `beforeCommit` writes what later stages derived (segments, personas) in that same transaction. Its id.
 */
export function addWarehouseDataset(
  db: Db,
  d: NewWarehouseDataset,
  beforeCommit: (datasetId: number) => void = () => {},
): number {
  const importedAt = d.report.importedAt;
  const maskedUrl = maskUrl(d.url);
  // the data set's identity: where it is read from (no password in it), as a file's content hash identifies a file
  const contentHash = createHash("sha256")
    .update(JSON.stringify([maskedUrl, d.source.table, d.source.map]))
    .digest("hex");
  return db.$client
    .transaction(() => {
      checkDatasetName(db, d.name);
      const { id } = db
        .insert(datasets)
        .values({
          name: d.name,
          fileName: d.source.table,
          contentHash,
          format: d.report.format,
          encoding: d.report.encoding,
          dateFormat: d.report.dateFormat,
          importedAt,
          firstAt: d.report.dateRange?.[0] ?? null,
          lastAt: d.report.dateRange?.[1] ?? null,
          report: JSON.stringify({ ...d.report, dataset: d.name, contentHash }),
          currency: d.currency,
          kind: "warehouse",
        })
        .returning({ id: datasets.id })
        .get();
      db.insert(warehouseSources)
        .values({
          datasetId: id,
          url: d.url,
          maskedUrl,
          ordersTable: d.source.table,
          mapping: JSON.stringify(d.source.map),
          assignmentsSchema: d.assignmentsSchema,
          connectedAt: importedAt,
        })
        .run();
      db.insert(datasetImports)
        .values({
          datasetId: id,
          kind: "import",
          fileName: d.source.table,
          contentHash,
          importedAt,
          report: JSON.stringify({ ...d.report, dataset: d.name, contentHash }),
        })
        .run();
      replaceCustomers(db, id, d.customers);
      setActiveDatasetId(db, id);
      beforeCommit(id);
      return id;
    })
    .immediate(); // the write lock from the start: no reader's lock to upgrade past
}

/**
 * A new report and customers after the table was read again, in one transaction with what `beforeCommit` writes
 * (segments, personas): readers see the old data set or the new one, never a mix. The data set's version changes, so
 * every cache of it is dropped.
 */
export function rereadWarehouseDataset(
  db: Db,
  datasetId: number,
  report: ImportReport,
  customers: CustomerFacts[],
  beforeCommit: () => void = () => {},
): void {
  db.$client
    .transaction(() => {
      // under the lock: the data set may have been deleted while the table was read
      const row = db.select().from(datasets).where(eq(datasets.id, datasetId)).get();
      if (!row || row.kind !== "warehouse") throw new AppError(`No warehouse data set ${datasetId}`, "not-found");
      const stored = { ...report, dataset: row.name, contentHash: row.contentHash };
      db.update(datasets)
        .set({
          importedAt: report.importedAt,
          firstAt: report.dateRange?.[0] ?? null,
          lastAt: report.dateRange?.[1] ?? null,
          report: JSON.stringify(stored),
        })
        .where(eq(datasets.id, datasetId))
        .run();
      replaceCustomers(db, datasetId, customers);
      db.insert(datasetImports)
        .values({
          datasetId,
          kind: "update",
          fileName: row.fileName,
          contentHash: row.contentHash,
          importedAt: report.importedAt,
          report: JSON.stringify(stored),
        })
        .run();
      beforeCommit();
    })
    .immediate();
}

/** The connection as it may be shown (masked URL), or null for an imported data set. */
export function warehouseInfo(db: Db, datasetId: number): WarehouseInfo | null {
  const row = db.select().from(warehouseSources).where(eq(warehouseSources.datasetId, datasetId)).get();
  return row
    ? {
        maskedUrl: row.maskedUrl,
        ordersTable: row.ordersTable,
        mapping: JSON.parse(row.mapping) as WarehouseSource["map"],
        assignmentsSchema: row.assignmentsSchema,
        connectedAt: row.connectedAt,
      }
    : null;
}

/**
 * The connection with its secret, for the warehouse client only (db/warehouse.server.ts through the figures'
 * dispatch): never put it in an answer, a page or a log line.
 */
export function warehouseConnection(
  db: Db,
  datasetId: number,
): { url: string; source: WarehouseSource; assignmentsSchema: string | null } | null {
  const row = db.select().from(warehouseSources).where(eq(warehouseSources.datasetId, datasetId)).get();
  return row
    ? {
        url: row.url,
        source: { table: row.ordersTable, map: JSON.parse(row.mapping) as WarehouseSource["map"] },
        assignmentsSchema: row.assignmentsSchema,
      }
    : null;
}
