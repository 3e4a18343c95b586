import type { LoaderFunctionArgs } from "@remix-run/node";
import { handoffCsv } from "~/experiments/handoff.server";

// GET /experiments/:id/holdout.csv — the control's customers: whom to leave out of the campaign.
export async function loader({ params }: LoaderFunctionArgs) {
  return handoffCsv(params.id, "holdout");
}
