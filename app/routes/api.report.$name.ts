import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { activeFacts } from "~/analytics/context.server";
import { filterFromSearch } from "~/analytics/filter";
import { memo } from "~/analytics/memo.server";
import { warehouseContextReport } from "~/analytics/page.server";
import { REPORT_NAMES, buildReport, reportTables, type Report, type ReportName } from "~/analytics/reports";
import { describeIssues } from "~/lib/validation";
import { csvResponse, toCsv } from "~/lib/csv";
import { appErrorResponse, jsonError } from "~/lib/http.server";
import { activeDataset } from "~/db/active.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";

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
  let answer: { dataset: { id: number; name: string }; report: Report<ReportName>; currency: string | null };
  if (connection) {
    // a warehouse data set: the same object, every figure from its SQL builder in PostgreSQL (issue 17)
    try {
      const report = await warehouseContextReport(current, connection, name, filter.data);
      answer = { dataset: { id: current.id, name: current.name }, report, currency: current.currency };
    } catch (err) {
      return appErrorResponse(err);
    }
  } else {
    const active = activeFacts();
    if (!active) return jsonError("No data set yet: import one first", 404);
    const { facts } = active;
    const report = memo(`${name}:${facts.datasetId}:${JSON.stringify(filter.data)}`, () =>
      buildReport(facts, name, filter.data),
    );
    answer = { dataset: active.dataset, report, currency: facts.currency };
  }
  if (search.get("format") !== "csv") return json({ dataset: answer.dataset, ...answer.report });
  const tables = reportTables(name, answer.report, answer.currency);
  const table = tables.find((t) => t.name === (search.get("table") ?? tables[0].name));
  if (!table)
    return jsonError(
      `No table "${search.get("table")}" in ${name}; tables: ${tables.map((t) => t.name).join(", ")}`,
      404,
    );
  return csvResponse(`${table.name}.csv`, toCsv(table.header, table.rows));
}
