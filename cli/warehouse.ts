import { openDb } from "~/db/db.server";
import { databasePath } from "~/db/paths.server";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { closeWarehouses } from "~/db/warehouse.server";
import { parseMapArgs } from "~/ingest/formats";
import { connectAndDerive, rereadAndDerive } from "~/derive/warehouse.server";
import { previewWarehouse } from "~/ingest/warehouse-connect.server";
import { parseCurrency } from "~/lib/currency";
import { parse, positiveInt, UsageError } from "./args";
import { summary } from "./import";
import { WAREHOUSE_USAGE } from "./usage";
import { errorCode, messageOf } from "~/lib/errors";
import { progressPrinter } from "./progress";

// `warehouse add|preview|reread` (issue 17): a PostgreSQL table of transaction lines as a data set. The URL is never
// printed: every answer carries its masked form.

export async function warehouseCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, {
    url: { type: "string" },
    orders: { type: "string" },
    map: { type: "string", multiple: true },
    workspace: { type: "string" },
    "assignments-schema": { type: "string" },
    currency: { type: "string" },
    dataset: { type: "string" },
    db: { type: "string" },
    json: { type: "boolean" },
    "progress-json": { type: "boolean" },
  });
  if (positionals.length) throw new UsageError(`usage: ${WAREHOUSE_USAGE}`);
  const map = values.map ? parseMapArgs(values.map) : undefined;
  const needSource = () => {
    if (!values.url) throw new UsageError("--url is required: a libpq URL such as postgresql://user@host/db");
    if (!values.orders) throw new UsageError("--orders is required: the table or view of transaction lines");
    return { url: values.url, table: values.orders, map };
  };
  try {
    if (sub === "preview") {
      const p = await previewWarehouse(needSource());
      if (p.problem && !values.json) throw new Error(p.problem);
      if (values.json) process.stdout.write(JSON.stringify(p) + "\n");
      else {
        const fields = Object.keys(p.map);
        process.stdout.write(
          [
            `Connected to ${p.maskedUrl} (PostgreSQL ${p.serverVersion}); ${p.table}: ${p.columns.length} columns`,
            `  mapping ${fields.map((f) => `${f}=${p.map[f as keyof typeof p.map]}`).join(", ")}`,
            fields.join("\t"),
            ...p.rows.map((r) => fields.map((f) => r[f] ?? "").join("\t")),
          ].join("\n") + "\n",
        );
      }
      return;
    }
    const db = openDb(databasePath(values.db));
    // a re-read prints its stages as an import does; `add` stays quiet (its refusals are one line) unless asked
    const progress =
      sub === "add" && !values["progress-json"]
        ? { update: () => {}, end: () => {} }
        : progressPrinter("Reading the table again", values["progress-json"] ?? false);
    try {
      if (sub === "add") {
        let currency: string | null | undefined;
        try {
          currency = values.currency === undefined ? undefined : parseCurrency(values.currency);
        } catch (err) {
          throw new UsageError(`--currency: ${messageOf(err)}`);
        }
        // segments and personas are derived with it, from one row per customer computed in the warehouse
        const { id, maskedUrl, report } = await connectAndDerive(
          db,
          {
            ...needSource(),
            name: values.workspace,
            assignmentsSchema: values["assignments-schema"],
            currency,
          },
          { onProgress: progress.update },
        );
        progress.end();
        const dataset = getDataset(db, id)!;
        process.stdout.write(
          values.json
            ? JSON.stringify({ id, kind: "warehouse", url: maskedUrl, ...report, currency: dataset.currency }) + "\n"
            : `${summary(report).replace(/^Imported/, "Connected")}  warehouse           ${maskedUrl}\n  data set id         ${id} (now active)\n`,
        );
      } else if (sub === "reread") {
        const id = positiveInt(values.dataset, "--dataset") ?? activeDatasetId(db);
        if (id === null) throw new UsageError("no data set: connect one with `warehouse add`");
        const report = await rereadAndDerive(db, id, { onProgress: progress.update });
        progress.end();
        process.stdout.write(values.json ? JSON.stringify({ id, ...report }) + "\n" : summary(report));
      } else throw new UsageError(`usage: ${WAREHOUSE_USAGE}`);
    } catch (err) {
      // the web server's job reads the code from this line (as an import's: app/ingest/jobs.server.ts)
      if (values["progress-json"])
        process.stderr.write(JSON.stringify({ error: { code: errorCode(err), message: messageOf(err) } }) + "\n");
      throw err;
    } finally {
      progress.end();
      db.$client.close();
    }
  } finally {
    await closeWarehouses();
  }
}
