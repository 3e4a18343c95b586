import type { Db } from "~/db/db.server";
import { addWarehouseDataset, rereadWarehouseDataset } from "~/db/warehouse-sources.server";
import { maskUrl } from "~/db/warehouse.server";
import { readNewWarehouse, readWarehouseAgain, type WarehouseRequest } from "~/ingest/warehouse-connect.server";
import type { ImportReport } from "~/types/import";
import type { WarehouseProgress } from "~/types/warehouse";
import { deriveWarehouseSegments, storeWarehouseSegments } from "~/segments/warehouse.server";

// A warehouse data set's "connect and derive" and "read again and derive" (issue 17): the one way the Data page, the
// CLI (`warehouse add`, `warehouse reread`) and the API (`POST /api/warehouse`, `/api/warehouse/reread`) do it. As an
// import (decision 0005): everything is computed first with no lock (the table checked, its report and customers read
// in ingest; segments and personas from one row per customer in segments), then the report, customers, segments and
// personas are written in ONE SQLite transaction, so that a failure anywhere leaves every table as it was.

export type WarehouseDeriveOptions = {
  onProgress?: (p: WarehouseProgress) => void;
  /** Runs last inside the transaction, everything written (tests inject a fault or read from another connection). */
  beforeCommit?: () => void;
};

export async function connectAndDerive(db: Db, request: WarehouseRequest, options: WarehouseDeriveOptions = {}) {
  const progress = options.onProgress ?? (() => {});
  const { dataset, preview } = await readNewWarehouse(db, request, progress);
  progress({ stage: "segments" });
  const segments = await deriveWarehouseSegments(dataset.url, dataset.source, dataset.report.dateRange?.[1] ?? null);
  progress({ stage: "storing" });
  const id = addWarehouseDataset(db, dataset, (datasetId) => {
    storeWarehouseSegments(db, datasetId, segments);
    options.beforeCommit?.();
  });
  progress({ stage: "done" });
  return { id, maskedUrl: maskUrl(request.url), report: dataset.report, preview };
}

/** Reads the table again (new rows, corrections): a new report, customers, segments and version, all at once. */
export async function rereadAndDerive(
  db: Db,
  datasetId: number,
  options: WarehouseDeriveOptions = {},
): Promise<ImportReport> {
  const progress = options.onProgress ?? (() => {});
  const { url, source, report, customers } = await readWarehouseAgain(db, datasetId, progress);
  progress({ stage: "segments" });
  const segments = await deriveWarehouseSegments(url, source, report.dateRange?.[1] ?? null);
  progress({ stage: "storing" });
  rereadWarehouseDataset(db, datasetId, report, customers, () => {
    storeWarehouseSegments(db, datasetId, segments);
    options.beforeCommit?.();
  });
  progress({ stage: "done" });
  return report;
}
