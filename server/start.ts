import cluster from "node:cluster";
import { createServer } from "node:net";
import { readdir, rm, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { openDb } from "~/db/db.server";
import { countDatasets } from "~/db/datasets.server";
import { databaseProblem } from "~/db/health.server";
import { databasePath } from "~/db/paths.server";
import { deriveMissing } from "~/derive/derive.server";
import { DEFAULT_SEED_OPTIONS } from "../seed/generate";
import { importDemo } from "../seed/import-demo";
import { serve } from "./serve";

// `npm start`: create the database and apply migrations, load the demo data when there is none, then serve.
// Environment: DATABASE_PATH, PORT (3000), HOST (127.0.0.1: customer data stays on this machine unless you say
// otherwise), DEMO_DATA=off to start empty, DEMO_LINES to size the demo set.

async function loadDemoIfEmpty(path: string) {
  const db = openDb(path);
  try {
    // a data set imported by an older version, with no segments stored: derived once, before any page is served
    const derived = deriveMissing(db);
    if (derived.length)
      console.log(`Derived the segments of ${derived.length} data set(s) imported by an older version.`);
    if (countDatasets(db) > 0 || process.env.DEMO_DATA === "off") return;
    const lines = Number(process.env.DEMO_LINES ?? DEFAULT_SEED_OPTIONS.lines);
    console.log(`No data yet: generating and importing the demo data set (${lines.toLocaleString("en-GB")} lines)…`);
    const report = await importDemo(db, { ...DEFAULT_SEED_OPTIONS, lines }, { fileName: "demo-online-retail.csv" });
    console.log(
      `Demo data imported: ${report.customers.toLocaleString("en-GB")} customers, ${report.invoices.toLocaleString("en-GB")} invoices.`,
    );
  } finally {
    db.$client.close();
  }
}

/** One line when the port cannot be listened on (another server on it, a privileged port), else null: before any work. */
function portProblem(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === "EADDRINUSE"
          ? `Port ${port} on ${host} is in use (another Campaign Lab or another program): stop it, or start with PORT=<another port>.`
          : `Cannot listen on ${host}:${port} (${err.code ?? err.message}): set HOST or PORT.`,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}

/** Uploads never imported (abandoned mapping forms) and the state files of finished import jobs go after a day. */
async function sweepUploads(path: string) {
  for (const folder of ["uploads", "imports"]) {
    const dir = join(dirname(path), folder);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const file = join(dir, name);
      const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Date.now() }));
      if (Date.now() - mtimeMs > 86_400_000) await rm(file, { force: true });
    }
  }
}

process.env.NODE_ENV ??= "production"; // React and Express in production mode (the build is loaded later, dynamically)
const path = databasePath();
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
const local = host === "0.0.0.0" ? "127.0.0.1" : host;
// load the active data set into memory before the first visitor asks (through the app, which owns the cache)
const warm = () =>
  fetch(`http://${local}:${port}/api/report/monthly`)
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);

// One web worker per core (WEB_WORKERS to choose), sharing the port and the SQLite file (docs/decisions/0011-workers.md);
// the primary prepares the database, starts them and replaces one that dies.
const workers = Math.max(1, Number(process.env.WEB_WORKERS ?? availableParallelism()));
if (cluster.isPrimary) {
  const problem = databaseProblem(path) ?? (await portProblem(host, port));
  if (problem) {
    console.error(problem); // one line naming the file or port and what to do, not a stack trace
    process.exit(1);
  }
  await loadDemoIfEmpty(path);
  await sweepUploads(path);
  setInterval(() => void sweepUploads(path).catch(() => undefined), 3_600_000).unref(); // uploads older than a day go
  if (workers === 1) {
    await serve(host, port);
    await warm();
  } else {
    let listening = 0;
    let stopping = false;
    const start = () => {
      const worker = cluster.fork();
      // an import finished in one worker: the others load the new data set too, before their next visitor
      worker.on("message", (m: { campaignLab?: string }) => {
        if (m?.campaignLab === "dataset-changed")
          for (const w of Object.values(cluster.workers ?? {})) if (w && w !== worker) w.send({ campaignLab: "warm" });
      });
      return worker;
    };
    await new Promise<void>((resolve) => {
      cluster.on("listening", () => ++listening === workers && resolve());
      for (let i = 0; i < workers; i++) start();
    });
    cluster.on("exit", (_worker, code, signal) => {
      if (stopping) return;
      console.error(`a web worker stopped (${signal ?? `exit code ${code}`}); starting another`);
      start();
    });
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
        process.exit(0);
      });
    }
    await Promise.all(Array.from({ length: workers }, warm));
  }
  console.log(
    `Campaign Lab is running on http://${host === "0.0.0.0" ? "localhost" : host}:${port} (database ${path}, ${workers} web worker${workers === 1 ? "" : "s"})`,
  );
} else {
  process.on("message", (m: { campaignLab?: string }) => m?.campaignLab === "warm" && void warm());
  await serve(host, port);
}
