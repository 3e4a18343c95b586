import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { parseDesignInput } from "~/experiments/design-input";
import { saveExperiment } from "~/experiments/experiments.server";
import { experimentJson } from "~/experiments/lifecycle.server";
import { describeIssues } from "~/lib/validation";
import { experimentsTable } from "~/experiments/list.server";
import { csvResponse, toCsv } from "~/lib/csv";
import { activeDataset } from "~/db/active.server";
import { jsonError, methodNotAllowed, readJson } from "~/lib/http.server";

// GET /api/experiments[?status=draft|running|completed][&archived=1][&format=csv] — the experiments list (archived ones
// only with archived=1).
export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const search = new URL(request.url).searchParams;
  const status = search.get("status");
  const rows = experimentsTable(
    active.db,
    active.id,
    status === "draft" || status === "running" || status === "completed" ? status : undefined,
    { archived: search.get("archived") === "1" },
  );
  if (search.get("format") === "csv") {
    return csvResponse(
      "experiments.csv",
      toCsv(
        [
          "id",
          "name",
          "campaign_type",
          "audience",
          "status",
          "primary_metric",
          "window_days",
          "planned_total",
          "decision",
          "updated_at",
          "rehearsal",
          "archived",
        ],
        rows.map((r) => [
          r.id,
          r.name,
          r.campaignType,
          r.audience,
          r.status,
          r.primaryMetric,
          r.windowDays,
          r.plannedTotal,
          r.decision,
          r.updatedAt,
          r.rehearsal ? "REHEARSAL (simulated)" : "",
          r.archived ? "archived" : "",
        ]),
      ),
    );
  }
  return json(rows);
}

// POST /api/experiments {design} — creates a draft; fields left out take the form's defaults (issue 13's minimal
// design is accepted). 201 with the experiment, or 400 naming the field.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = parseDesignInput(body.data);
  if (!parsed.success) return jsonError(describeIssues(parsed.error), 400);
  const id = saveExperiment(active.db, active.id, parsed.data);
  return json(experimentJson(active.db, id), { status: 201 });
}
