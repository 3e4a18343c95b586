import { getFacts } from "~/analytics/facts.server";
import { filterSchema } from "~/analytics/filter";
import { REPORT_NAMES, buildReport, reportTables, type Report, type ReportName } from "~/analytics/reports";
import { openCliDb } from "./db";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { closeWarehouses, warehouseFor } from "~/db/warehouse.server";
import { warehouseReport } from "~/analytics/warehouse.server";
import { describeIssues } from "~/lib/validation";
import { parse, UsageError } from "./args";
import { REPORT_USAGE } from "./usage";

export async function reportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    from: { type: "string" },
    to: { type: "string" },
    country: { type: "string" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  const name = positionals[0] as ReportName;
  if (positionals.length !== 1 || !REPORT_NAMES.includes(name)) throw new UsageError(`usage: ${REPORT_USAGE}`);
  const filter = filterSchema.safeParse({ from: values.from, to: values.to, country: values.country });
  if (!filter.success) throw new UsageError(`invalid filter: ${describeIssues(filter.error)}`);
  const db = openCliDb(values.db);
  try {
    const id = activeDatasetId(db);
    if (id === null) throw new Error("No data set yet: import one first (npm run -s cli -- import FILE)");
    const connection = warehouseConnection(db, id);
    if (connection) {
      // a warehouse data set: every figure from its SQL builder, run in PostgreSQL (issue 17)
      const currency = getDataset(db, id)?.currency ?? null;
      const report = await warehouseReport(
        warehouseFor(connection.url),
        connection.source,
        name,
        filter.data,
        currency,
      );
      print(name, report, currency, values.json);
      return;
    }
    const facts = getFacts(db, id);
    print(name, buildReport(facts, name, filter.data), facts.currency, values.json);
  } finally {
    db.$client.close();
    await closeWarehouses();
  }
}

/** The report as JSON, or its tables as text (the CSV downloads' tables, aligned). */
function print<N extends ReportName>(name: N, report: Report<N>, currency: string | null, json?: boolean) {
  if (json) process.stdout.write(JSON.stringify(report) + "\n");
  else
    for (const table of reportTables(name, report, currency))
      process.stdout.write(`${table.name}\n${formatTable(table.header, table.rows)}\n`);
}

function formatTable(header: string[], rows: unknown[][]): string {
  const cells = [
    header,
    ...rows.map((r) =>
      r.map((v) =>
        v === null || v === undefined
          ? ""
          : typeof v === "number"
            ? v.toLocaleString("en-GB", { maximumFractionDigits: 4 })
            : String(v),
      ),
    ),
  ];
  const widths = header.map((_, i) => Math.min(60, Math.max(...cells.map((r) => (r[i] ?? "").length))));
  return (
    cells
      .map((r) =>
        r
          .map((c, i) => (typeof rows[0]?.[i] === "number" ? c.padStart(widths[i]) : c.padEnd(widths[i])))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
