import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { getJob } from "~/ingest/jobs.server";
import { jsonError } from "~/lib/http.server";

// GET /api/imports/:id — the import's stage, progress, and its report or error when finished.
export async function loader({ params }: LoaderFunctionArgs) {
  const job = getJob(params.id ?? "");
  if (!job) return jsonError("No such import", 404);
  return json(job, { headers: { "Cache-Control": "no-store" } });
}
