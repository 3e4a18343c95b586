import { openCliDb } from "./db";
import { activeDatasetId } from "~/db/datasets.server";
import { toCsv } from "~/lib/csv";
import { choosePersonaK } from "~/segments/compute.server";
import { K_RANGE } from "~/segments/settings";
import { allMembers, rfmCsvHeader, rfmCsvRow } from "~/segments/queries.server";
import { segmentsReport } from "~/segments/report.server";
import { parse, positiveInt, UsageError } from "./args";

export async function segmentsCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    k: { type: "string" },
    members: { type: "boolean" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  const k = positiveInt(values.k, "--k");
  if (k !== undefined && (k < K_RANGE[0] || k > K_RANGE[1]))
    throw new UsageError(`--k must be between ${K_RANGE[0]} and ${K_RANGE[1]}`);
  const db = openCliDb(values.db);
  try {
    const id = activeDatasetId(db);
    if (id === null) throw new Error("No data set yet: import one first (npm run -s cli -- import FILE)");
    if (k !== undefined) {
      segmentsReport(db, id); // computes the segments first if this data set has none yet
      choosePersonaK(db, id, k);
    }
    if (values.members) {
      process.stdout.write(toCsv(rfmCsvHeader(db, id), allMembers(db, id).map(rfmCsvRow)));
      return;
    }
    const report = segmentsReport(db, id);
    if (values.json) {
      process.stdout.write(JSON.stringify(report) + "\n");
      return;
    }
    const lines = [
      `Segments as of ${report.snapshotDate}: ${report.customers.toLocaleString("en-GB")} customers (revenue and spend net of returns)`,
    ];
    for (const s of report.segments)
      lines.push(
        `  ${s.name.padEnd(20)} ${String(s.customers).padStart(7)} customers  ${(100 * s.customerShare).toFixed(1).padStart(5)}%  net revenue ${s.revenue.toLocaleString("en-GB", { minimumFractionDigits: 2 }).padStart(14)}  ${(100 * s.revenueShare).toFixed(1).padStart(5)}%`,
      );
    lines.push(`Personas: k = ${report.personas.chosenK} (best silhouette: k = ${report.personas.bestK})`);
    for (const r of report.personas.sweep)
      lines.push(
        `  k = ${String(r.k).padStart(2)}  inertia ${r.inertia.toFixed(1).padStart(9)}  silhouette ${r.silhouette.toFixed(4)}`,
      );
    for (const c of report.personas.clusters)
      lines.push(
        `  ${c.name.padEnd(26)} ${String(c.customers).padStart(7)} customers  net revenue ${c.revenue.toLocaleString("en-GB", { minimumFractionDigits: 2 })}`,
      );
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    db.$client.close();
  }
}
