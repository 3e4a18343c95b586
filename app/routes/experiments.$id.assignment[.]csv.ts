import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { assignmentRows, getExperiment } from "~/experiments/experiments.server";
import { activeDataset } from "~/db/active.server";

// GET /experiments/:id/assignment.csv — customer_id,arm for the email/push tool.
export async function loader({ params }: LoaderFunctionArgs) {
  const active = activeDataset();
  const experiment = active && getExperiment(active.db, Number(params.id));
  if (!active || !experiment) throw new Response("No such experiment", { status: 404 });
  if (experiment.status === "draft") throw new Response("The experiment has not started: nobody is assigned yet", { status: 409 });
  const names = experiment.design.arms.map((a) => a.name);
  const rows = assignmentRows(active.db, experiment.id).map((r) => [r.customerId, names[r.arm]]);
  return csvResponse(`experiment-${experiment.id}-assignment.csv`, toCsv(["customer_id", "arm"], rows));
}
