import { json } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { segmentsReport } from "~/segments/report.server";
import { jsonError } from "~/lib/http.server";

// GET /api/segments — RFM score counts, segments, the persona sweep and the chosen k's clusters of the active data set.
export async function loader() {
  const db = getDb();
  const id = activeDatasetId(db);
  if (id === null) return jsonError("No data set yet: import one first", 404);
  return json(segmentsReport(db, id));
}
