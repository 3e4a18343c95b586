import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { filterSchema } from "~/analytics/filter";
import { describeIssues } from "~/lib/validation";
import { csvResponse, toCsv } from "~/lib/csv";
import { clvCsvHeader, clvCsvRow, valueModelState } from "~/planning/value.server";
import { activeDataset } from "~/db/active.server";
import { jsonError } from "~/lib/http.server";

// GET /api/clv[?calibrationEnd=YYYY-MM-DD][&format=csv] — the fitted BG/NBD and Gamma-Gamma models (both fits, their
// checks in words, the one used), or per-customer predictions as CSV; 202 {"status": "fitting"} while they are fitted.
export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const search = new URL(request.url).searchParams;
  const date = filterSchema.safeParse({ from: search.get("calibrationEnd") || undefined });
  if (!date.success) return jsonError(`calibrationEnd: ${describeIssues(date.error).replace(/^from: /, "")}`, 400);
  const state = await valueModelState(active.db, active.id, date.data.from);
  // a fit longer than the wait runs on in its worker thread: "ask again" (never kept by a cache), or why it failed
  if (state.status === "fitting")
    return json(
      {
        status: "fitting",
        since: state.since,
        message: "The customer-value models are being fitted: ask again in a few seconds",
      },
      { status: 202, headers: { "Retry-After": "2", "Cache-Control": "no-store" } },
    );
  if (state.status === "failed")
    return json({ error: state.error }, { status: 503, headers: { "Cache-Control": "no-store" } });
  const model = state.model;
  if (search.get("format") === "csv")
    return csvResponse("clv_customers.csv", toCsv(clvCsvHeader(active.currency), model.rows.map(clvCsvRow)));
  const { rows: _rows, ...rest } = model;
  return json({ ...rest, customers: model.customers });
}
