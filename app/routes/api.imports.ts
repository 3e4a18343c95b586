import { json, type ActionFunctionArgs } from "@remix-run/node";
import { warmActiveFacts } from "~/analytics/context.server";
import { startImport } from "~/ingest/jobs.server";
import { startImportSchema } from "~/ingest/schemas";
import { jsonError, readJsonBody } from "~/lib/http.server";
import { getUpload } from "~/ingest/uploads.server";

// POST /api/imports {uploadId, name?, map?, dateFormat?, replace?} — starts importing an upload; poll /api/imports/:id.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST", 405);
  const parsed = await readJsonBody(request, startImportSchema);
  if (!parsed.ok) return parsed.response;
  const upload = await getUpload(parsed.data.uploadId);
  if (!upload) return jsonError("No such upload (it may have been imported or discarded)", 404);
  // the pages' first visit then finds the new data set in memory
  const job = startImport({ upload, ...parsed.data, onDone: warmActiveFacts });
  return json(job, { status: 202 });
}
