import { openDb } from "~/db/db.server";
import { databasePath } from "~/db/paths.server";
import { normaliseDateFormat } from "~/ingest/dates";
import { parseMapArgs } from "~/ingest/formats";
import { importFile } from "~/ingest/import.server";
import { FORMAT_LABELS } from "~/ingest/formats";
import type { ImportReport } from "~/ingest/report";
import { activeDatasetId } from "~/db/datasets.server";
import { errorCode } from "~/lib/errors";
import { computeSegmentsParallel } from "~/segments/compute.server";
import { parse, UsageError } from "./args";
import { IMPORT_USAGE } from "./usage";
import { progressPrinter } from "./progress";


export async function importCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    workspace: { type: "string" },
    map: { type: "string", multiple: true },
    "date-format": { type: "string" },
    replace: { type: "boolean" },
    db: { type: "string" },
    json: { type: "boolean" },
    "progress-json": { type: "boolean" },
    "file-name": { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${IMPORT_USAGE}`);
  const dateFormat = values["date-format"] === undefined ? undefined : normaliseDateFormat(values["date-format"]);
  if (dateFormat === null) throw new UsageError(`--date-format "${values["date-format"]}" is not one of M/D/YYYY, D/M/YYYY, ISO (YYYY-MM-DD), YYYYMMDD`);
  const map = values.map ? parseMapArgs(values.map) : undefined;
  const db = openDb(databasePath(values.db));
  const progress = progressPrinter(`Importing ${positionals[0]}`, values["progress-json"] ?? false);
  try {
    const report = await importFile(db, positionals[0], {
      name: values.workspace,
      fileName: values["file-name"],
      map,
      dateFormat,
      replace: values.replace,
      onProgress: progress.update,
    });
    // segments and personas are derived once per import, right after it lands (a failure here keeps the import)
    progress.update({ stage: "segments" });
    const datasetId = activeDatasetId(db)!;
    await computeSegmentsParallel(db, datasetId);
    progress.update({ stage: "done" });
    progress.end();
    process.stdout.write(values.json ? JSON.stringify(report) + "\n" : summary(report));
  } catch (err) {
    // the web server reads the code from this line; people read the message main() prints
    if (values["progress-json"]) process.stderr.write(JSON.stringify({ error: { code: errorCode(err), message: String(err instanceof Error ? err.message : err) } }) + "\n");
    throw err;
  } finally {
    progress.end();
    db.$client.close();
  }
}

const n = (x: number) => x.toLocaleString("en-GB");
const money = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function summary(r: ImportReport): string {
  const reasons = Object.entries(r.invalidReasons).map(([k, v]) => `${k} ${n(v)}`).join(", ");
  const lines = [
    `Imported "${r.fileName}" as data set "${r.dataset}" in ${r.seconds.total.toFixed(2)} s`,
    `  format ${FORMAT_LABELS[r.format]}, encoding ${r.encoding}, dates ${r.dateFormat}`,
    `  dates ${r.dateRange ? `${r.dateRange[0]} to ${r.dateRange[1]}` : "none"}`,
    `  lines read          ${n(r.linesRead)}`,
    `  rejected            ${n(r.rejectedLines)}`,
    `  duplicates dropped  ${n(r.duplicateLines)}`,
    `  cancellations       ${n(r.cancellationLines)} (${n(r.cancellationInvoices)} invoices, ${money(r.cancelledValue)})`,
    `  invalid             ${n(r.invalidLines)}${reasons ? ` (${reasons})` : ""}`,
    `  sales lines         ${n(r.salesLines)} (revenue ${money(r.salesRevenue)}, ${n(r.invoices)} invoices)`,
    `  with a customer     ${n(r.customerSalesLines)} (revenue ${money(r.customerRevenue)}, ${n(r.customerInvoices)} invoices)`,
    `  customers           ${n(r.customers)}`,
    `  countries ${n(r.countries)}, products ${n(r.products)}`,
  ];
  for (const ex of r.rejectedExamples.slice(0, 5)) lines.push(`  rejected line ${ex.line}: ${ex.reason}`);
  return lines.join("\n") + "\n";
}
