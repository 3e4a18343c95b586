import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { experimentReport, reportRows } from "~/experiments/report.server";
import { requireExperiment } from "~/experiments/require.server";
import { getDataset } from "~/db/datasets.server";

// GET /experiments/:id/report.csv — the experiment report as section,item,value rows.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment: e } = loaded;
  return csvResponse(
    `experiment-${e.id}-report.csv`,
    toCsv(
      ["section", "item", "value"],
      reportRows(experimentReport(active.db, e.id), getDataset(active.db, e.datasetId)?.currency),
    ),
  );
}
