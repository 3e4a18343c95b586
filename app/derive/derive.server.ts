import type { Db } from "~/db/db.server";
import { getDataset, listDatasets } from "~/db/datasets.server";
import { stopwatch, type Elapsed } from "~/lib/thread-cpu.server";
import { importedFactsHead, loadFacts, type FactsHead } from "~/analytics/facts.server";
import type { Facts } from "~/analytics/facts";
import { LineSpool, SNAPSHOT_MIN_LINES, writeSnapshot } from "~/analytics/snapshot.server";
import { dataVersion } from "~/db/version.server";
import { importFile, type ImportOptions } from "~/ingest/import.server";
import { updateDataset, type UpdateOptions } from "~/ingest/update.server";
import { factsHistory, type History } from "~/experiments/backtest";
import type { ImportReport, PendingUpdate, UpdateReport } from "~/types/import";
import {
  computeSegments,
  deriveSegments,
  hasSegments,
  storeSegments,
  type DerivedSegments,
} from "~/segments/compute.server";
import { chosenK } from "~/segments/store.server";
import { measureDataset, storeMeasurements, type PendingMeasurements } from "~/experiments/measure.server";

// The one "import and derive" use case (issue 10 item 4): every way data enters (CLI `import`, `import --update`,
// `seed`, the demo data at first start, the web's import jobs, which run the CLI) goes through here, so a data set is
// never readable without its derived tables. Each stage derives from the data in memory before the write lock is
// taken; the import's (or update's) one transaction then writes the data and its derived tables together.

/** Told the report once the transaction has committed, before the column file is written (the web shows it then). */
type OnCommitted<R> = { onCommitted?: (report: R) => void };
export type ImportAndDeriveOptions = Omit<ImportOptions, "prepare" | "beforeCommit" | "onLines"> &
  OnCommitted<ImportReport>;
export type UpdateAndDeriveOptions = Omit<UpdateOptions, "prepare" | "beforeCommit"> & OnCommitted<UpdateReport>;

/**
 * Imports a file as a data set with its RFM scores, segments and personas, in one transaction; then writes its
 * columns' file (decision 0014) from what the import read, so that the next server start need not read SQLite.
 */
export async function importAndDerive(
  db: Db,
  path: string,
  { onCommitted, ...options }: ImportAndDeriveOptions = {},
): Promise<ImportReport> {
  const spool = LineSpool.open(db);
  const columnFile = { seconds: 0, cpuSeconds: 0 }; // spent on the column file: spooling the kept lines, then writing it
  const add = (t: Elapsed) => {
    columnFile.seconds += t.seconds;
    columnFile.cpuSeconds += t.cpuSeconds;
  };
  try {
    let head: FactsHead | null = null;
    let datasetId = 0;
    const report = await importFile(db, path, {
      ...options,
      onLines: spool
        ? (batch) => {
            const watch = stopwatch();
            spool.add(batch);
            add(watch());
          }
        : undefined,
      prepare: (facts) => {
        if (spool && spool.n >= SNAPSHOT_MIN_LINES) head = importedFactsHead(0, facts);
        // one sweep thread: the import copies its lines on this thread meanwhile, so a second one would share its core
        return deriveSegments(facts.customers, facts.lastAt, 1);
      },
      beforeCommit: (id, segments) => {
        datasetId = id;
        storeSegments(db, id, segments);
      },
    });
    onCommitted?.(report);
    if (spool && head) {
      const watch = stopwatch();
      writeImportedSnapshot(db, datasetId, head, spool);
      add(watch());
      report.seconds.columnFile = columnFile.seconds;
      if (report.cpuSeconds) report.cpuSeconds.columnFile = columnFile.cpuSeconds;
    }
    return report;
  } finally {
    spool?.close();
  }
}

/** The column file of a data set just imported: the facts read (placed by their ids as read) and its spooled lines. */
function writeImportedSnapshot(db: Db, datasetId: number, { facts, orderAt, productAt }: FactsHead, spool: LineSpool) {
  spool.placeIds({ orderAt, productAt });
  const dataset = getDataset(db, datasetId);
  writeSnapshot(db, datasetId, dataVersion(db, datasetId), {
    ...facts,
    datasetId,
    currency: dataset?.currency ?? null,
    lines: spool,
  });
}

/**
 * Adds a file's newer lines to a data set and, in the same transaction, its segments and personas derived again (the
 * user's chosen k kept) and the measured results of its running experiments; then writes its columns' file from the
 * facts the update derived from (they are the data as the update leaves it).
 */
export async function updateAndDerive(
  db: Db,
  path: string,
  { onCommitted, ...options }: UpdateAndDeriveOptions,
): Promise<UpdateReport> {
  let facts: Facts | null = null;
  const report = await updateDataset(db, path, { ...options, ...updateDerivation(db, (f) => (facts = f)) });
  onCommitted?.(report);
  if (facts) writeSnapshot(db, report.datasetId, dataVersion(db, report.datasetId), facts);
  return report;
}

/**
 * An update's derive step: `prepare` derives, from the data as the update will leave it and with no lock, the segments
 * and the measured results; `beforeCommit` writes them under the lock, taking what the user changed meanwhile into
 * account (the k chosen then; an experiment started, stopped or given results then is measured again). `onFacts` gets
 * the data set's facts as the update will leave them.
 */
export function updateDerivation(db: Db, onFacts?: (facts: Facts) => void) {
  return {
    prepare: async (pending: PendingUpdate) => {
      const segments = await deriveSegments(pending.customers, pending.lastAt);
      const facts = loadFacts(db, pending.datasetId, pending);
      onFacts?.(facts);
      const history = factsHistory(facts);
      return { segments, history, measurements: measureDataset(db, pending.datasetId, history) };
    },
    beforeCommit: (datasetId: number, { segments, history, measurements }: UpdateDerived) => {
      storeSegments(db, datasetId, segments, chosenK(db, datasetId)); // the k chosen now, under the lock
      return storeMeasurements(db, datasetId, measurements, history);
    },
  };
}

type UpdateDerived = { segments: DerivedSegments; history: History; measurements: PendingMeasurements };

/**
 * Derives the segments of every data set that has none stored with today's definitions: one imported by an older
 * version (segments used to be computed after the import's commit, or lazily on a page's first read), or stored on
 * gross sales (before issue 14). The server runs it at start, before any page is served; the CLI when it opens the
 * database. Keeps the user's chosen k. Returns the ids derived.
 */
export function deriveMissing(db: Db): number[] {
  const derived: number[] = [];
  for (const { id, kind } of listDatasets(db)) {
    // a warehouse data set's segments come from its warehouse (computeSegmentsFromInputs), not from stored customers
    if (kind !== "imported" || hasSegments(db, id)) continue;
    computeSegments(db, id, chosenK(db, id)); // one transaction (storeSegments)
    derived.push(id);
  }
  return derived;
}
