import { processWide } from "~/lib/process.server";
import { getFacts } from "~/analytics/facts.server";
import { dayNumber } from "~/analytics/facts";
import type { Db } from "~/db/db.server";
import { getDataset } from "~/db/datasets.server";
import { dataVersion } from "~/db/version.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { runWarehouseSync } from "~/db/warehouse-sync.server";
import { customersAsOfQuery } from "~/segments/warehouse-sql";
import { factsHistory, scoreAsOf, type AsOfCustomer, type History } from "./backtest";
import { outcomesQuery } from "./warehouse-sql";

// Which engine answers a data set's back-tests, starts and measurements (issue 17): an imported data set's in-memory
// facts, or a warehouse data set's SQL builders (segments/ and experiments/warehouse-sql.ts) run in its PostgreSQL.
// Only per-customer RFM as of T and per-customer window outcomes of the customers asked for come back.

const AS_OF_KEEP = 8;
type Cached = { version: string; asOf: Map<number, AsOfCustomer[]> };
const cache = processWide("warehouse-history", () => new Map<number, Cached>());

function warehouseHistory(db: Db, datasetId: number): History {
  const connection = warehouseConnection(db, datasetId)!;
  const lastAt = getDataset(db, datasetId)?.lastAt ?? "1970-01-01";
  // keyed by the data set's version: a re-read of the table (new report, new dates) drops what was fetched before
  const version = dataVersion(db, datasetId);
  let held = cache.get(datasetId);
  if (!held || held.version !== version) cache.set(datasetId, (held = { version, asOf: new Map() }));
  const { asOf } = held;
  return {
    lastDay: dayNumber(lastAt.slice(0, 10)),
    asOf: (t) => {
      let rows = asOf.get(t);
      if (!rows) {
        const inputs = runWarehouseSync(connection.url, customersAsOfQuery(connection.source, t));
        rows = scoreAsOf(inputs.map((c, index) => ({ ...c, index })));
        asOf.set(t, rows);
        while (asOf.size > AS_OF_KEEP) asOf.delete(asOf.keys().next().value!);
      }
      return rows;
    },
    outcomes: (ids, t, windowDays, through) =>
      ids.length === 0
        ? []
        : runWarehouseSync(connection.url, outcomesQuery(connection.source, ids, t, windowDays, through)),
  };
}

/** The history a data set's experiments read: its facts when imported, its warehouse's builders otherwise. */
export function historyOf(db: Db, datasetId: number): History {
  return warehouseConnection(db, datasetId) ? warehouseHistory(db, datasetId) : factsHistory(getFacts(db, datasetId));
}
