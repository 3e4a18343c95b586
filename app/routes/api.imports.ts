import { json, type ActionFunctionArgs } from "@remix-run/node";
import { warmActiveFacts } from "~/analytics/context.server";
import { startImport } from "~/ingest/jobs.server";
import { startImportSchema } from "~/ingest/schemas";
import { jsonError, readJsonBody } from "~/lib/http.server";
import { getUpload } from "~/ingest/uploads.server";
import { getDb } from "~/db/db.server";
import { getDataset } from "~/db/datasets.server";

// POST /api/imports {uploadId, name?, map?, dateFormat?, replace?, until?, update?} — starts importing an upload (or, with
// update: a data set's id, adding its newer lines to that data set); poll /api/imports/:id.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST", 405);
  const parsed = await readJsonBody(request, startImportSchema);
  if (!parsed.ok) return parsed.response;
  if (parsed.data.update !== undefined && !getDataset(getDb(), parsed.data.update))
    return jsonError(`update: no data set with id ${parsed.data.update}`, 404);
  const upload = await getUpload(parsed.data.uploadId);
  if (!upload) return jsonError("No such upload (it may have been imported or discarded)", 404);
  // the pages' first visit then finds the new data set in memory
  const job = startImport({ upload, ...parsed.data, onDone: warmActiveFacts });
  return json(job, { status: 202 });
}
