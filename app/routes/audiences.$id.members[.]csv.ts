import type { LoaderFunctionArgs } from "@remix-run/node";
import { activeDataset } from "~/db/active.server";
import { memberRows, handoffHeader } from "~/experiments/handoff.server";
import { csvResponse, toCsv } from "~/lib/csv";
import { audienceMembers, getAudience } from "~/segments/audiences.server";

// GET /audiences/:id/members.csv — a saved audience's members with country, segment, persona and RFM (issue 16).
export async function loader({ params }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) throw new Response("No data set yet", { status: 404 });
  const audience = /^\d{1,15}$/.test(params.id ?? "") ? getAudience(active.db, Number(params.id)) : null;
  if (!audience || audience.datasetId !== active.id)
    throw new Response("No such saved audience in the active data set", { status: 404 });
  const rows = memberRows(active.db, active.id, audienceMembers(active.db, active.id, audience.definition));
  return csvResponse(`audience-${audience.id}-members.csv`, toCsv(handoffHeader(active.currency), rows));
}
