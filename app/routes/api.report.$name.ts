import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { activeFacts } from "~/analytics/context.server";
import { filterFromSearch } from "~/analytics/filter";
import { memo } from "~/analytics/memo.server";
import { REPORT_NAMES, buildReport, reportTables, type ReportName } from "~/analytics/reports";
import { describeIssues } from "~/lib/validation";
import { csvResponse, toCsv } from "~/lib/csv";
import { appErrorResponse, jsonError } from "~/lib/http.server";
import { activeDataset } from "~/db/active.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { warehouseFor } from "~/db/warehouse.server";
import { warehouseReport } from "~/analytics/warehouse.server";

// GET /api/report/<name>?from=&to=&country= — the figures a context page shows, as JSON;
// with format=csv&table=<table name> one of its tables as CSV (the pages' download links).
export async function loader({ params, request }: LoaderFunctionArgs) {
  const name = params.name as ReportName;
  if (!REPORT_NAMES.includes(name))
    return jsonError(`No report "${params.name}"; reports: ${REPORT_NAMES.join(", ")}`, 404);
  const search = new URL(request.url).searchParams;
  const filter = filterFromSearch(search);
  if (!filter.success) return jsonError(describeIssues(filter.error), 400);
  const current = activeDataset();
  if (!current) return jsonError("No data set yet: import one first", 404);
  const connection = warehouseConnection(current.db, current.id);
  if (connection) {
    // a warehouse data set: the same object, every figure from its SQL builder in PostgreSQL (issue 17)
    if (search.get("format") === "csv")
      return jsonError("CSV tables of a warehouse data set are not available yet: use the JSON answer", 400);
    try {
      const wh = warehouseFor(connection.url);
      const report = await warehouseReport(wh, connection.source, name, filter.data, current.currency);
      return json({ dataset: { id: current.id, name: current.name }, ...report });
    } catch (err) {
      return appErrorResponse(err);
    }
  }
  const active = activeFacts();
  if (!active) return jsonError("No data set yet: import one first", 404);
  if (search.get("format") === "csv") {
    const tables = reportTables(active.facts, name, filter.data);
    const table = tables.find((t) => t.name === (search.get("table") ?? tables[0].name));
    if (!table)
      return jsonError(
        `No table "${search.get("table")}" in ${name}; tables: ${tables.map((t) => t.name).join(", ")}`,
        404,
      );
    return csvResponse(`${table.name}.csv`, toCsv(table.header, table.rows));
  }
  const report = memo(`${name}:${active.facts.datasetId}:${JSON.stringify(filter.data)}`, () =>
    buildReport(active.facts, name, filter.data),
  );
  return json({ dataset: active.dataset, ...report });
}
