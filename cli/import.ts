import { openCliDb } from "./db";
import { checkedAsIs, stampOwnWrites } from "~/db/health.server";
import { databasePath } from "~/db/paths.server";
import { normaliseDateFormat } from "~/ingest/dates";
import { parseMapArgs } from "~/ingest/formats";
import { FORMAT_LABELS } from "~/ingest/formats";
import type { ImportReport } from "~/ingest/report";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import type { ImportProgress } from "~/ingest/import.server";
import { errorCode, messageOf } from "~/lib/errors";
import { importAndDerive, updateAndDerive } from "~/derive/derive.server";
import type { UpdateReport } from "~/ingest/report";
import { parse, UsageError } from "./args";
import { parseCurrency } from "~/lib/currency";

/** `--currency CODE` (issue 14): an ISO 4217 code; a wrong one is a usage error that names the flag. */
function currencyFlag(value: string): string {
  try {
    return parseCurrency(value);
  } catch (err) {
    throw new UsageError(`--currency: ${messageOf(err)}`);
  }
}
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
    update: { type: "string" },
    "update-id": { type: "string" },
    until: { type: "string" },
    currency: { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${IMPORT_USAGE}`);
  const dateFormat = values["date-format"] === undefined ? undefined : normaliseDateFormat(values["date-format"]);
  if (dateFormat === null)
    throw new UsageError(
      `--date-format "${values["date-format"]}" is not one of M/D/YYYY, D/M/YYYY, ISO (YYYY-MM-DD), YYYYMMDD`,
    );
  const map = values.map ? parseMapArgs(values.map) : undefined;
  const currency = values.currency === undefined ? undefined : currencyFlag(values.currency);
  if (currency !== undefined && (values.update !== undefined || values["update-id"] !== undefined))
    throw new UsageError("--currency is set at import (an update keeps the data set's currency)");
  const updateId = values["update-id"] === undefined ? undefined : Number(values["update-id"]);
  if (updateId !== undefined && !(Number.isInteger(updateId) && updateId > 0))
    throw new UsageError(`--update-id expects a data set id, got "${values["update-id"]}"`);
  const update = updateId ?? values.update;
  if (update !== undefined && (values.workspace !== undefined || values.replace))
    throw new UsageError("--update adds lines to an existing data set: it takes no --workspace or --replace");
  const path = databasePath(values.db);
  // a checked (or new) file written by this import alone needs no check at the next start (decision 0034)
  const checked = checkedAsIs(path);
  const db = openCliDb(path);
  // the data set just imported is the active one
  const withCurrency = (report: ImportReport) => ({
    ...report,
    currency: getDataset(db, activeDatasetId(db)!)?.currency ?? null,
  });
  const progress = progressPrinter(
    `${update === undefined ? "Importing" : "Updating with"} ${positionals[0]}`,
    values["progress-json"] ?? false,
  );
  // --progress-json: the report as soon as the import has committed, on the same line stream as the progress (the web
  // shows it while the column file is still being written); stdout still ends with it
  const committed = <R>(report: R) =>
    values["progress-json"] && process.stderr.write(JSON.stringify({ report }) + "\n");
  // tests only (test/security/faults.test.ts): the process dies while segments are derived, as under kill -9
  const onProgress = (p: ImportProgress) => {
    progress.update(p);
    if (p.stage === "segments" && process.env.CAMPAIGN_LAB_FAULT === "kill-during-segments")
      process.kill(process.pid, "SIGKILL");
  };
  try {
    if (update !== undefined) {
      // segments, personas and measured results are derived before the write lock and land in the update's transaction
      const report = await updateAndDerive(db, positionals[0], {
        dataset: update,
        fileName: values["file-name"],
        map,
        dateFormat,
        until: values.until,
        onProgress,
        onCommitted: committed,
      });
      progress.end();
      process.stdout.write(values.json ? JSON.stringify(report) + "\n" : updateSummary(report));
      return;
    }
    // segments and personas are derived before the write lock and land in the import's transaction
    const report = await importAndDerive(db, positionals[0], {
      name: values.workspace,
      fileName: values["file-name"],
      map,
      dateFormat,
      replace: values.replace,
      until: values.until,
      currency,
      onProgress,
      onCommitted: (report) => committed(withCurrency(report)),
    });
    progress.end();
    const datasetCurrency = withCurrency(report).currency;
    process.stdout.write(
      values.json
        ? JSON.stringify(withCurrency(report)) + "\n"
        : summary(report) +
            `  currency            ${datasetCurrency ?? "none: amounts are plain numbers (set one with --currency CODE or \`currency CODE\`)"}\n`,
    );
  } catch (err) {
    // the web server reads the code from this line; people read the message main() prints
    if (values["progress-json"])
      process.stderr.write(
        JSON.stringify({ error: { code: errorCode(err), message: String(err instanceof Error ? err.message : err) } }) +
          "\n",
      );
    throw err;
  } finally {
    progress.end();
    db.$client.close();
    if (checked) stampOwnWrites(path);
  }
}

const n = (x: number) => x.toLocaleString("en-GB");
const money = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function updateSummary(u: UpdateReport): string {
  const r = u.clean;
  const o = u.overlap;
  const lines = [
    `Updated data set "${r.dataset}" with "${r.fileName}" in ${r.seconds.total.toFixed(2)} s`,
    `  stored through      ${u.storedThrough ?? "nothing"}`,
    `  lines added         ${n(u.added)} (new period ${r.dateRange ? `${r.dateRange[0]} to ${r.dateRange[1]}` : "empty"})`,
    `  overlap             ${n(o.lines)} lines on or before the stored data: ${o.checked ? `${n(o.matched ?? 0)} matched, ${n(o.notFound ?? 0)} not found, ` : "not checked (no invoice column), "}${n(o.dropped)} dropped by the cleaning rules; none added`,
    `  new-period lines    ${n(r.linesRead)}: rejected ${n(r.rejectedLines)}, duplicates ${n(r.duplicateLines)}, invalid ${n(r.invalidLines)}`,
    `  cancellations       ${n(r.cancellationLines)} (${money(r.cancelledValue)})`,
    `  sales lines         ${n(r.salesLines)} (revenue ${money(r.salesRevenue)})`,
    `  new customers       ${n(u.newCustomers)}`,
  ];
  if (r.until) lines.push(`  after ${r.until}    ${n(r.linesAfterUntil ?? 0)} lines left out`);
  if (u.remeasured.length)
    lines.push(`  measured again      experiment${u.remeasured.length > 1 ? "s" : ""} ${u.remeasured.join(", ")}`);
  return lines.join("\n") + "\n";
}

export function summary(r: ImportReport): string {
  const reasons = Object.entries(r.invalidReasons)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(", ");
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
  if (r.until) lines.push(`  kept up to ${r.until}: ${n(r.linesAfterUntil ?? 0)} later lines left out`);
  for (const ex of r.rejectedExamples.slice(0, 5)) lines.push(`  rejected line ${ex.line}: ${ex.reason}`);
  return lines.join("\n") + "\n";
}
