import type { LoaderFunctionArgs } from "@remix-run/node";
import { experimentReport } from "~/experiments/report.server";
import { activeDataset } from "~/db/active.server";
import { getExperiment } from "~/experiments/experiments.server";

// GET /experiments/:id/report.json — the experiment report as one JSON object.
export async function loader({ params }: LoaderFunctionArgs) {
  const active = activeDataset();
  const e = active && getExperiment(active.db, Number(params.id));
  if (!active || !e || e.datasetId !== active.id) throw new Response("No such experiment", { status: 404 });
  return new Response(JSON.stringify(experimentReport(active.db, e.id), null, 2), {
    headers: { "Content-Type": "application/json", "Content-Disposition": `attachment; filename="experiment-${e.id}-report.json"` },
  });
}
