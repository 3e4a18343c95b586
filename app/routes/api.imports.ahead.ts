import { json, type ActionFunctionArgs } from "@remix-run/node";
import { startJobProcessAhead } from "~/ingest/jobs.server";
import { jsonError } from "~/lib/http.server";

// POST /api/imports/ahead (no body) — a file is about to come (the Data page is open): the next import's process starts
// now, so that the import does not wait for it to load (docs/decisions/0032-job-process-ahead.md).
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST", 405);
  startJobProcessAhead();
  return json({ ok: true }, { status: 202 });
}
