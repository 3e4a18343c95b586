import type { LoaderFunctionArgs } from "@remix-run/node";
import { handoffRows } from "~/experiments/handoff.server";
import { requireExperiment } from "~/experiments/require.server";
import { csvResponse, toCsv } from "~/lib/csv";

// GET /experiments/:id/holdout.csv — the control's customers: whom to leave out of the campaign.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment: e } = loaded;
  if (e.status === "draft")
    throw new Response("Start the experiment first: a draft has no assignment", { status: 409 });
  const { header, rows } = handoffRows(active.db, e, "holdout");
  return csvResponse(`experiment-${e.id}-holdout.csv`, toCsv(header, rows));
}
