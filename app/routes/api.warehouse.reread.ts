import { json, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { warehouseInfo } from "~/db/warehouse-sources.server";
import { startReread } from "~/ingest/jobs.server";
import { warehouseRereadSchema } from "~/ingest/schemas";
import { jsonError, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// POST /api/warehouse/reread {"dataset"?} — reads a warehouse data set's table again (`cli warehouse reread`, the Data
// page's "Read again") as a job, as POST /api/imports starts an import: 202 with the job; poll GET /api/imports/:id for
// its stage (connecting, report, customers, segments, storing, done) and, once done, its report ({"id", …report}).
// The report, customers, segments and personas land in one transaction; every cached figure of it is dropped (a new
// version). The active data set when none is named.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const parsed = await readJsonBody(request, warehouseRereadSchema);
  if (!parsed.ok) return parsed.response;
  const db = getDb();
  const id = parsed.data.dataset ?? activeDatasetId(db);
  if (id === null) return jsonError("No data set yet: connect a warehouse table first", 404);
  const info = warehouseInfo(db, id);
  if (!info) return jsonError(`No warehouse data set ${id}`, 404);
  return json(startReread({ datasetId: id, table: info.ordersTable }), { status: 202 });
}

export function loader() {
  return methodNotAllowed(["POST"]);
}
