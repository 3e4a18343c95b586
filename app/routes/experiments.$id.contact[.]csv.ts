import type { LoaderFunctionArgs } from "@remix-run/node";
import { handoffCsv } from "~/experiments/handoff.server";

// GET /experiments/:id/contact.csv — the treatment arms' customers with their arm: whom to send the campaign to.
export async function loader({ params }: LoaderFunctionArgs) {
  return handoffCsv(params.id, "contact");
}
