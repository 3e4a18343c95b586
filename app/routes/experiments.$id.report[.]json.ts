import type { LoaderFunctionArgs } from "@remix-run/node";
import { experimentReport } from "~/experiments/report.server";
import { requireExperiment } from "~/experiments/require.server";

// GET /experiments/:id/report.json — the experiment report as one JSON object.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment: e } = loaded;
  return new Response(JSON.stringify(experimentReport(active.db, e.id), null, 2), {
    headers: {
      "Content-Type": "application/json",
      "Content-Disposition": `attachment; filename="experiment-${e.id}-report.json"`,
    },
  });
}
