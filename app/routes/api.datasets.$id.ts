import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { getDataset } from "~/db/datasets.server";
import { jsonError } from "~/lib/http.server";

// GET /api/datasets/:id — one data set with its full import report.
export async function loader({ params }: LoaderFunctionArgs) {
  const dataset = getDataset(getDb(), Number(params.id));
  if (!dataset) return jsonError("No such data set", 404);
  return json(dataset);
}
