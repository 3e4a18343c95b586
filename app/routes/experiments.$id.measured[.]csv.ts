import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { moneyHeader } from "~/lib/currency";
import { activeDataset } from "~/db/active.server";
import { measuredResults } from "~/experiments/measure.server";
import { requireExperiment } from "~/experiments/require.server";

// GET /experiments/:id/measured.csv — the measured results per arm (the table of the results page), with the window.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const r = measuredResults(loaded.active.db, loaded.experiment.id);
  if (!r) throw new Response("No measured results: measure them from the data set first", { status: 409 });
  const m = (name: string) => moneyHeader(name, activeDataset()?.currency); // money columns name the currency (issue 14)
  const header = [
    "arm",
    "users",
    "conversions",
    m("revenue"),
    "orders",
    m("refunded"),
    m("pre_spend"),
    "start_date",
    "observed_through",
    "days_observed",
    "window_days",
  ];
  const rows = r.arms.map((a) => [
    a.name,
    a.users,
    a.conversions,
    a.revenueSum.toFixed(2),
    a.orders,
    a.refunded.toFixed(2),
    a.preSpendSum.toFixed(2),
    r.startDate,
    r.observedThrough,
    r.daysObserved,
    r.windowDays,
  ]);
  return csvResponse(`experiment-${loaded.experiment.id}-measured.csv`, toCsv(header, rows));
}
