import { dayNumber } from "~/analytics/facts";
import type { Db } from "~/db/db.server";
import { getDataset } from "~/db/datasets.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { warehouseFor } from "~/db/warehouse.server";
import { AppError } from "~/lib/errors";
import { choosePersonaK, computeSegmentsFromInputs } from "./compute.server";
import { customerDetail, type CustomerDetail } from "./queries.server";
import { chosenK, customerTotals, personaCentroids } from "./store.server";
import { PERSONA_SEED } from "./settings";
import { customerOrdersQuery, customersAsOfQuery, PERSONA_SAMPLE_LIMIT, personaSampleQuery } from "./warehouse-sql";

// A warehouse data set's segments and personas (issue 17): each customer's recency, frequency and net spend as of the
// data's last day come back from PostgreSQL (one row per customer, no line leaves the warehouse); scoring, k-means on
// a sample and the stored tables are the import's own (compute.server.ts). Run once at connection and on each re-read.

export async function deriveWarehouseSegments(
  db: Db,
  datasetId: number,
): Promise<{ customers: number; sampled: number }> {
  const connection = warehouseConnection(db, datasetId);
  const dataset = getDataset(db, datasetId);
  if (!connection || !dataset) throw new AppError(`No warehouse data set ${datasetId}`, "not-found");
  const snapshot = (dataset.lastAt ?? "1970-01-01").slice(0, 10);
  const warehouse = warehouseFor(connection.url);
  const day = dayNumber(snapshot);
  const rows = await warehouse.run(customersAsOfQuery(connection.source, day));
  // k-means on the engine's seeded sample of at most PERSONA_SAMPLE_LIMIT customers; everyone when there are fewer
  const sample =
    rows.length > PERSONA_SAMPLE_LIMIT
      ? new Set(
          (await warehouse.run(personaSampleQuery(connection.source, day, PERSONA_SEED, PERSONA_SAMPLE_LIMIT))).map(
            (r) => r.customerId,
          ),
        )
      : null;
  const keep = chosenK(db, datasetId);
  const result = await computeSegmentsFromInputs(
    db,
    datasetId,
    snapshot,
    rows.map((r) => ({ customerId: r.customerId, recency: r.recency, frequency: r.frequency, monetary: r.monetary })),
    sample,
  );
  if (keep && personaCentroids(db, datasetId, keep).length === keep) choosePersonaK(db, datasetId, keep);
  return { customers: result.customers, sampled: result.sampled };
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
