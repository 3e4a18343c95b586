import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import type { Db } from "~/db/db.server";
import { deleteDatasetRows, lineWriter, nextIds, writeCustomers, writeOrders, writeProducts } from "~/db/load.server";
import { datasets } from "~/db/schema";
import { setActiveDatasetId } from "~/db/datasets.server";
import type { DateFormat } from "./dates";
import type { ColumnMap } from "./formats";
import { milliToMoney } from "./money";
import { ImportError, runPipeline, type Progress } from "./pipeline";
import type { ImportReport } from "./report";
import { hashFile, openSource } from "./source";

export type ImportProgress = Progress | { stage: "hashing" | "deriving" | "segments" | "done" };

export type ImportOptions = {
  /** The data set ("workspace") name; defaults to the file name without extension. */
  name?: string;
  /** The file name to show, when the path is a temporary upload. */
  fileName?: string;
  map?: ColumnMap;
  dateFormat?: DateFormat;
  replace?: boolean;
  onProgress?: (p: ImportProgress) => void;
  faultAfterLines?: number;
};

export function defaultDatasetName(fileName: string): string {
  return basename(fileName).replace(/(\.csv)?(\.gz)?$/i, "") || "data set";
}

/**
 * Imports one file as a data set in a single transaction: the whole file lands with its derived tables and report,
 * or the database is exactly as before and an ImportError/FormatError says why (PRODUCT.md §1).
 */
export async function importFile(db: Db, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const fileName = options.fileName ?? basename(path);
  const { size } = await stat(path).catch(() => {
    throw new ImportError(`File not found: ${path}`);
  });
  if (size === 0) throw new ImportError("The file is empty (0 bytes)");
  options.onProgress?.({ stage: "hashing" });
  const contentHash = await hashFile(path);
  const name = (options.name ?? defaultDatasetName(fileName)).trim();
  if (name === "") throw new ImportError("The data set name is empty");

  const sameFile = db.select().from(datasets).where(eq(datasets.contentHash, contentHash)).get();
  if (sameFile && !options.replace) {
    throw new ImportError(`This file was already imported as "${sameFile.name}" on ${sameFile.importedAt.slice(0, 10)}; import it with replace to load it again`, "conflict");
  }
  const sameName = db.select().from(datasets).where(eq(datasets.name, name)).get();
  if (sameName && !options.replace) {
    throw new ImportError(`A data set named "${name}" already exists; choose another name or import with replace`, "conflict");
  }

  const sqlite = db.$client;
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    for (const old of [sameFile, sameName]) if (old) deleteDatasetRows(sqlite, old.id);
    const importedAt = new Date().toISOString();
    const { id } = db
      .insert(datasets)
      .values({ name, fileName, contentHash, format: "", encoding: "", dateFormat: "", importedAt, report: "{}" })
      .returning({ id: datasets.id })
      .get();
    const source = await openSource(path);
    const result = await runPipeline(source, {
      map: options.map,
      dateFormat: options.dateFormat,
      onProgress: options.onProgress,
      onLines: lineWriter(sqlite, id),
      firstIds: nextIds(sqlite),
      faultAfterLines: options.faultAfterLines,
    });
    options.onProgress?.({ stage: "deriving" });
    const t0 = performance.now();
    writeOrders(sqlite, id, result.orders.values());
    writeProducts(sqlite, id, result.products.values());
    writeCustomers(sqlite, id, result.customers.values());
    let invoices = 0;
    let customerInvoices = 0;
    let cancellationInvoices = 0;
    for (const o of result.orders.values()) {
      if (o.kind === "return") cancellationInvoices++;
      else {
        invoices++;
        if (o.customerId !== null) customerInvoices++;
      }
    }
    const c = result.counts;
    const derive = (performance.now() - t0) / 1000;
    const report: ImportReport = {
      dataset: name,
      fileName,
      bytes: size,
      contentHash,
      encoding: result.encoding as ImportReport["encoding"],
      format: result.layout.format,
      dateFormat: result.dateFormat,
      header: result.layout.header,
      linesRead: c.linesRead,
      rejectedLines: c.rejectedLines,
      duplicateLines: c.duplicateLines,
      cancellationLines: c.cancellationLines,
      invalidLines: c.invalidLines,
      invalidReasons: result.invalidReasons,
      salesLines: c.salesLines,
      salesRevenue: milliToMoney(c.salesRevenue),
      salesLinesWithoutCustomer: c.salesLinesWithoutCustomer,
      customerSalesLines: c.customerSalesLines,
      customers: result.customers.size,
      invoices,
      customerInvoices,
      customerRevenue: milliToMoney(c.customerRevenue),
      cancellationInvoices,
      cancelledValue: milliToMoney(c.cancelledValue),
      nonMerchandiseLines: c.nonMerchandiseLines,
      countries: result.countries,
      products: result.merchandiseProducts,
      dateRange: result.dateRange,
      rejectedExamples: result.rejectedExamples,
      seconds: { ...result.seconds, derive, total: (performance.now() - started) / 1000 },
      importedAt,
    };
    db.update(datasets)
      .set({
        format: report.format,
        encoding: report.encoding,
        dateFormat: report.dateFormat,
        firstAt: report.dateRange?.[0] ?? null,
        lastAt: report.dateRange?.[1] ?? null,
        report: JSON.stringify(report),
      })
      .where(eq(datasets.id, id))
      .run();
    setActiveDatasetId(db, id);
    sqlite.exec("COMMIT");
    report.seconds.total = (performance.now() - started) / 1000;
    options.onProgress?.({ stage: "done" });
    return report;
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw err;
  }
}
