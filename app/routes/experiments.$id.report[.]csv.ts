import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { experimentReport, reportRows } from "~/experiments/report.server";
import { getExperiment } from "~/experiments/experiments.server";
import { activeDataset } from "~/db/active.server";

// GET /experiments/:id/report.csv — the experiment report as section,item,value rows.
export async function loader({ params }: LoaderFunctionArgs) {
  const active = activeDataset();
  const e = active && getExperiment(active.db, Number(params.id));
  if (!active || !e || e.datasetId !== active.id) throw new Response("No such experiment", { status: 404 });
  return csvResponse(`experiment-${e.id}-report.csv`, toCsv(["section", "item", "value"], reportRows(experimentReport(active.db, e.id))));
}
