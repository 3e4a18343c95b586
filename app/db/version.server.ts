import type { Db } from "./db.server";

// A data set's version: what changes when its data changes (an import or replacement gives a new id; an update
// rewrites its dates and report; a new currency changes how its figures are written; segments are recomputed or
// relabelled). Caches in every web worker key their results by it, so a change made by another process (the import's
// child, another worker) is seen on the next request.

const statements = new WeakMap<
  Db["$client"],
  {
    data: ReturnType<Db["$client"]["prepare"]>;
    segments: ReturnType<Db["$client"]["prepare"]>;
    rfm: ReturnType<Db["$client"]["prepare"]>;
  }
>();

function prepared(db: Db) {
  let s = statements.get(db.$client);
  if (!s) {
    s = {
      data: db.$client
        .prepare(
          "SELECT imported_at || '|' || ifnull(first_at, '') || '|' || ifnull(last_at, '') || '|' || " +
            "length(report) || '|' || ifnull(currency, '') FROM datasets WHERE id = ?",
        )
        .pluck(),
      segments: db.$client
        .prepare("SELECT computed_at || '|' || chosen_k FROM segment_runs WHERE dataset_id = ?")
        .pluck(),
      rfm: db.$client.prepare("SELECT computed_at FROM segment_runs WHERE dataset_id = ?").pluck(),
    };
    statements.set(db.$client, s);
  }
  return s;
}

/** The version of a data set's lines, orders and customers ("" when it does not exist). */
export function dataVersion(db: Db, datasetId: number): string {
  return `${datasetId}:${(prepared(db).data.get(datasetId) as string | undefined) ?? ""}`;
}

/** The version of its data and its stored segments and personas (the chosen k included). */
export function segmentsVersion(db: Db, datasetId: number): string {
  return `${dataVersion(db, datasetId)}:${(prepared(db).segments.get(datasetId) as string | undefined) ?? ""}`;
}

/** The version of its data and its stored RFM scores and segments, whatever k is chosen (choosing k leaves it). */
export function rfmVersion(db: Db, datasetId: number): string {
  return `${dataVersion(db, datasetId)}:${(prepared(db).rfm.get(datasetId) as string | undefined) ?? ""}`;
}
