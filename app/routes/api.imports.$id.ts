import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { getJob } from "~/ingest/jobs.server";

// GET /api/imports/:id — the import's stage, progress, and its report or error when finished.
export async function loader({ params }: LoaderFunctionArgs) {
  const job = getJob(params.id ?? "");
  if (!job) return json({ error: "No such import" }, { status: 404 });
  return json(job, { headers: { "Cache-Control": "no-store" } });
}
