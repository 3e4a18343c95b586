import { readdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { openDb } from "~/db/db.server";
import { countDatasets } from "~/db/datasets.server";
import { databasePath } from "~/db/paths.server";
import { DEFAULT_SEED_OPTIONS } from "../seed/generate";
import { importDemo } from "../seed/import-demo";
import { serve } from "./serve";

// `npm start`: create the database and apply migrations, load the demo data when there is none, then serve.
// Environment: DATABASE_PATH, PORT (3000), HOST (127.0.0.1: customer data stays on this machine unless you say
// otherwise), DEMO_DATA=off to start empty, DEMO_LINES to size the demo set.

async function loadDemoIfEmpty(path: string) {
  const db = openDb(path);
  try {
    if (countDatasets(db) > 0 || process.env.DEMO_DATA === "off") return;
    const lines = Number(process.env.DEMO_LINES ?? DEFAULT_SEED_OPTIONS.lines);
    console.log(`No data yet: generating and importing the demo data set (${lines.toLocaleString("en-GB")} lines)…`);
    const report = await importDemo(db, { ...DEFAULT_SEED_OPTIONS, lines }, { fileName: "demo-online-retail.csv" });
    console.log(`Demo data imported: ${report.customers.toLocaleString("en-GB")} customers, ${report.invoices.toLocaleString("en-GB")} invoices.`);
  } finally {
    db.$client.close();
  }
}

/** Uploads never imported (abandoned mapping forms) are removed after a day. */
async function sweepUploads(path: string) {
  const dir = join(dirname(path), "uploads");
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const file = join(dir, name);
    const { mtimeMs } = await stat(file);
    if (Date.now() - mtimeMs > 86_400_000) await rm(file, { force: true });
  }
}

process.env.NODE_ENV ??= "production"; // React and Express in production mode (the build is loaded later, dynamically)
const path = databasePath();
await loadDemoIfEmpty(path);
await sweepUploads(path);
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
await serve(host, port);
// load the active data set into memory before the first visitor asks (through the app, which owns the cache)
await fetch(`http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/api/report/monthly`).catch(() => undefined);
console.log(`Campaign Lab is running on http://${host === "0.0.0.0" ? "localhost" : host}:${port} (database ${path})`);
