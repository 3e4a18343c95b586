import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { filterSchema } from "~/analytics/filter";
import { describeIssues } from "~/lib/validation";
import { csvResponse, toCsv } from "~/lib/csv";
import { CLV_CSV_HEADER, clvCsvRow, valueModel } from "~/planning/value.server";
import { activeDataset } from "~/db/active.server";
import { jsonError } from "~/lib/http.server";

// GET /api/clv[?calibrationEnd=YYYY-MM-DD][&format=csv] — the fitted BG/NBD and Gamma-Gamma models, or per-customer predictions as CSV.
export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const search = new URL(request.url).searchParams;
  const date = filterSchema.safeParse({ from: search.get("calibrationEnd") || undefined });
  if (!date.success) return jsonError(`calibrationEnd: ${describeIssues(date.error).replace(/^from: /, "")}`, 400);
  const model = valueModel(active.db, active.id, date.data.from);
  if (search.get("format") === "csv") return csvResponse("clv_customers.csv", toCsv(CLV_CSV_HEADER, model.rows.map(clvCsvRow)));
  const { rows: _rows, ...rest } = model;
  return json({ ...rest, customers: model.customers });
}
