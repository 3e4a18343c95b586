import { json } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { listDatasets } from "~/db/datasets.server";

// GET /api/datasets — every imported data set with its import report; `active` marks the one the UI works on.
export async function loader() {
  return json(listDatasets(getDb()));
}
