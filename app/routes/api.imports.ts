import { json, type ActionFunctionArgs } from "@remix-run/node";
import { warmActiveFacts } from "~/analytics/context.server";
import { startImport } from "~/ingest/jobs.server";
import { startImportSchema } from "~/ingest/schemas";
import { describeIssues } from "~/lib/validation";
import { getUpload } from "~/ingest/uploads.server";

// POST /api/imports {uploadId, name?, map?, dateFormat?, replace?} — starts importing an upload; poll /api/imports/:id.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ error: "Use POST" }, { status: 405 });
  const body = await request.json().catch(() => null);
  const parsed = startImportSchema.safeParse(body);
  if (!parsed.success) return json({ error: describeIssues(parsed.error) }, { status: 400 });
  const upload = await getUpload(parsed.data.uploadId);
  if (!upload) return json({ error: "No such upload (it may have been imported or discarded)" }, { status: 404 });
  // the pages' first visit then finds the new data set in memory
  const job = startImport({ upload, ...parsed.data, onDone: warmActiveFacts });
  return json(job, { status: 202 });
}
