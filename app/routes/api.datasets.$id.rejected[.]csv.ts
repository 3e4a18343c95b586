import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { getDataset } from "~/db/datasets.server";
import { csvResponse, toCsv } from "~/lib/csv";

// GET /api/datasets/:id/rejected.csv — the report's rejected-line examples (line, reason, text).
export async function loader({ params }: LoaderFunctionArgs) {
  const dataset = getDataset(getDb(), Number(params.id));
  if (!dataset) throw new Response("No such data set", { status: 404 });
  const rows = dataset.report.rejectedExamples.map((e) => [e.line, e.reason, e.text]);
  return csvResponse(`${dataset.name}-rejected-lines.csv`, toCsv(["line", "reason", "text"], rows));
}
