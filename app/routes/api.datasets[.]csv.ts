import { getDb } from "~/db/db.server";
import { listDatasets } from "~/db/datasets.server";
import { csvResponse, toCsv } from "~/lib/csv";

// GET /api/datasets.csv — the Data page's table of data sets with their main counts.
export async function loader() {
  const header = [
    "name",
    "file",
    "format",
    "encoding",
    "date_format",
    "first",
    "last",
    "lines_read",
    "rejected",
    "duplicates",
    "cancellations",
    "invalid",
    "sales_lines",
    "sales_revenue",
    "customers",
    "customer_revenue",
    "imported_at",
    "active",
  ];
  const rows = listDatasets(getDb()).map((d) => {
    const r = d.report;
    return [
      d.name,
      d.fileName,
      d.format,
      d.encoding,
      d.dateFormat,
      d.firstAt,
      d.lastAt,
      r.linesRead,
      r.rejectedLines,
      r.duplicateLines,
      r.cancellationLines,
      r.invalidLines,
      r.salesLines,
      r.salesRevenue,
      r.customers,
      r.customerRevenue,
      d.importedAt,
      d.active,
    ];
  });
  return csvResponse("datasets.csv", toCsv(header, rows));
}
