import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { experimentsTable } from "~/experiments/list.server";
import { csvResponse, toCsv } from "~/lib/csv";
import { activeDataset } from "~/db/active.server";
import { jsonError } from "~/lib/http.server";

// GET /api/experiments[?status=draft|running|completed][&format=csv] — the experiments list.
export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const search = new URL(request.url).searchParams;
  const status = search.get("status");
  const rows = experimentsTable(active.db, active.id, status === "draft" || status === "running" || status === "completed" ? status : undefined);
  if (search.get("format") === "csv") {
    return csvResponse("experiments.csv", toCsv(["id", "name", "campaign_type", "audience", "status", "primary_metric", "window_days", "planned_total", "decision", "updated_at"],
      rows.map((r) => [r.id, r.name, r.campaignType, r.audience, r.status, r.primaryMetric, r.windowDays, r.plannedTotal, r.decision, r.updatedAt])));
  }
  return json(rows);
}
