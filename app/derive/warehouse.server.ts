import type { Db } from "~/db/db.server";
import { connectWarehouse, rereadWarehouse, type WarehouseRequest } from "~/ingest/warehouse-connect.server";
import type { ImportReport } from "~/types/import";
import { deriveWarehouseSegments } from "~/segments/warehouse.server";

// A warehouse data set's "connect and derive" and "read again and derive" (issue 17): the one way the Data page, the
// CLI (`warehouse add`, `warehouse reread`) and the API (`POST /api/warehouse`, `/api/warehouse/reread`) do it. The
// table is checked and its report and customers read (ingest), then segments and personas come from one row per
// customer computed in the warehouse (segments).

export async function connectAndDerive(db: Db, request: WarehouseRequest) {
  const connected = await connectWarehouse(db, request);
  await deriveWarehouseSegments(db, connected.id);
  return connected;
}

/** Reads the table again (new rows, corrections): a new report, customers, segments and version. */
export async function rereadAndDerive(db: Db, datasetId: number): Promise<ImportReport> {
  const report = await rereadWarehouse(db, datasetId);
  await deriveWarehouseSegments(db, datasetId);
  return report;
}
