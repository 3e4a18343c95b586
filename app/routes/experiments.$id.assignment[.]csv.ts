import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { assignmentRows } from "~/experiments/store.server";
import { requireExperiment } from "~/experiments/require.server";

// GET /experiments/:id/assignment.csv — customer_id,arm for the email/push tool.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment } = loaded;
  if (experiment.status === "draft")
    throw new Response("The experiment has not started: nobody is assigned yet", { status: 409 });
  const names = experiment.design.arms.map((a) => a.name);
  const rows = assignmentRows(active.db, experiment.id).map((r) => [r.customerId, names[r.arm]]);
  return csvResponse(`experiment-${experiment.id}-assignment.csv`, toCsv(["customer_id", "arm"], rows));
}
