import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { moneyHeader } from "~/lib/currency";
import { activeDataset } from "~/db/active.server";
import { measuredResults, overTime, overTimeCsvRows } from "~/experiments/measure.server";
import { requireExperiment } from "~/experiments/require.server";

// GET /experiments/:id/over-time.csv — measured results day by day: cumulative users, buyers and revenue per arm, and
// the primary metric's relative lift with its interval (sequential while interim).
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment } = loaded;
  if (!measuredResults(active.db, experiment.id))
    throw new Response("No measured results: measure them from the data set first", { status: 409 });
  const { header, rows } = overTimeCsvRows(overTime(active.db, experiment.id));
  // the revenue column names the currency (issue 14)
  return csvResponse(
    `experiment-${experiment.id}-over-time.csv`,
    toCsv(
      header.map((h) => (h === "revenue" ? moneyHeader(h, activeDataset()?.currency) : h)),
      rows,
    ),
  );
}
