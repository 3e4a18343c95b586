import { dayNumber } from "~/analytics/facts";
import type { Db } from "~/db/db.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { warehouseFor } from "~/db/warehouse.server";
import type { WarehouseSource } from "~/types/warehouse";
import { deriveSegmentsFromInputs, storeSegments, type DerivedWarehouseSegments } from "./compute.server";
import { customerDetail, type CustomerDetail } from "./queries.server";
import { chosenK, customerTotals } from "./store.server";
import { PERSONA_SEED } from "./settings";
import { customerOrdersQuery, customersAsOfQuery, PERSONA_SAMPLE_LIMIT, personaSampleQuery } from "./warehouse-sql";

// A warehouse data set's segments and personas (issue 17): each customer's recency, frequency and net spend as of the
// data's last day come back from PostgreSQL (one row per customer, no line leaves the warehouse); scoring, k-means on
// a sample and the stored tables are the import's own (compute.server.ts). Derived with no lock at connection and on
// each re-read (app/derive/warehouse.server.ts), then stored in that one transaction.

/** Derives the segments and personas of the table `source` as of its last line's day `lastAt`; writes nothing. */
export async function deriveWarehouseSegments(
  url: string,
  source: WarehouseSource,
  lastAt: string | null,
): Promise<DerivedWarehouseSegments> {
  const snapshot = (lastAt ?? "1970-01-01").slice(0, 10);
  const warehouse = warehouseFor(url);
  const day = dayNumber(snapshot);
  const rows = await warehouse.run(customersAsOfQuery(source, day));
  // k-means on the engine's seeded sample of at most PERSONA_SAMPLE_LIMIT customers; everyone when there are fewer
  const sample =
    rows.length > PERSONA_SAMPLE_LIMIT
      ? new Set(
          (await warehouse.run(personaSampleQuery(source, day, PERSONA_SEED, PERSONA_SAMPLE_LIMIT))).map(
            (r) => r.customerId,
          ),
        )
      : null;
  return deriveSegmentsFromInputs(
    snapshot,
    rows.map((r) => ({ customerId: r.customerId, recency: r.recency, frequency: r.frequency, monetary: r.monetary })),
    sample,
  );
}

/** Stores derived segments in the caller's transaction, keeping the k the user has chosen (read now, under the lock). */
export function storeWarehouseSegments(
  db: Db,
  datasetId: number,
  { derived, personaSample }: DerivedWarehouseSegments,
) {
  return storeSegments(db, datasetId, derived, chosenK(db, datasetId), personaSample);
}

/**
 * The customer page of any data set: stored RFM and totals, with the orders an imported data set stores or, for a
 * warehouse data set (which stores none), its PostgreSQL's for that one customer. Null for an unknown customer.
 */
export async function customerPage(db: Db, datasetId: number, customerId: string): Promise<CustomerDetail | null> {
  const connection = warehouseConnection(db, datasetId);
  if (!connection) return customerDetail(db, datasetId, customerId);
  if (!customerTotals(db, datasetId, customerId)) return null; // no query for an id that has no purchase
  const orders = await warehouseFor(connection.url).run(customerOrdersQuery(connection.source, customerId));
  return customerDetail(db, datasetId, customerId, orders);
}
