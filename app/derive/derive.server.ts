import type { Db } from "~/db/db.server";
import { listDatasets } from "~/db/datasets.server";
import { loadFacts } from "~/analytics/facts.server";
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

export type ImportAndDeriveOptions = Omit<ImportOptions, "prepare" | "beforeCommit">;
export type UpdateAndDeriveOptions = Omit<UpdateOptions, "prepare" | "beforeCommit">;

/** Imports a file as a data set with its RFM scores, segments and personas, in one transaction. */
export function importAndDerive(db: Db, path: string, options: ImportAndDeriveOptions = {}): Promise<ImportReport> {
  return importFile(db, path, {
    ...options,
    prepare: (facts) => deriveSegments(facts.customers, facts.lastAt),
    beforeCommit: (datasetId, segments) => void storeSegments(db, datasetId, segments),
  });
}

/**
 * Adds a file's newer lines to a data set and, in the same transaction, its segments and personas derived again (the
 * user's chosen k kept) and the measured results of its running experiments.
 */
export function updateAndDerive(db: Db, path: string, options: UpdateAndDeriveOptions): Promise<UpdateReport> {
  return updateDataset(db, path, { ...options, ...updateDerivation(db) });
}

/**
 * An update's derive step: `prepare` derives, from the data as the update will leave it and with no lock, the segments
 * and the measured results; `beforeCommit` writes them under the lock, taking what the user changed meanwhile into
 * account (the k chosen then; an experiment started, stopped or given results then is measured again).
 */
export function updateDerivation(db: Db) {
  return {
    prepare: async (pending: PendingUpdate) => {
      const segments = await deriveSegments(pending.customers, pending.lastAt);
      const history = factsHistory(loadFacts(db, pending.datasetId, pending));
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
