import { json, type ActionFunctionArgs } from "@remix-run/node";
import { startImport } from "~/ingest/jobs.server";
import { describeIssues, startImportSchema } from "~/ingest/schemas";
import { getUpload } from "~/ingest/uploads.server";

// POST /api/imports {uploadId, name?, map?, dateFormat?, replace?} — starts importing an upload; poll /api/imports/:id.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ error: "Use POST" }, { status: 405 });
  const body = await request.json().catch(() => null);
  const parsed = startImportSchema.safeParse(body);
  if (!parsed.success) return json({ error: describeIssues(parsed.error) }, { status: 400 });
  const upload = await getUpload(parsed.data.uploadId);
  if (!upload) return json({ error: "No such upload (it may have been imported or discarded)" }, { status: 404 });
  const job = startImport({ upload, ...parsed.data });
  return json(job, { status: 202 });
}
