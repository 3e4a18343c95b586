import { json, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { rereadAndDerive } from "~/derive/warehouse.server";
import { warehouseRereadSchema } from "~/ingest/schemas";
import { appErrorResponse, jsonError, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// POST /api/warehouse/reread {"dataset"?} — reads a warehouse data set's table again (`cli warehouse reread`, the Data
// page's "Read again"): 200 {"id", …report}; its customers, segments and personas follow, and every cached figure of
// it is dropped (a new version). The active data set when none is named.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const parsed = await readJsonBody(request, warehouseRereadSchema);
  if (!parsed.ok) return parsed.response;
  const db = getDb();
  const id = parsed.data.dataset ?? activeDatasetId(db);
  if (id === null) return jsonError("No data set yet: connect a warehouse table first", 404);
  try {
    return json({ id, ...(await rereadAndDerive(db, id)) });
  } catch (err) {
    return appErrorResponse(err);
  }
}

export function loader() {
  return methodNotAllowed(["POST"]);
}
