import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { openDb } from "~/db/db.server";
import { importFile } from "~/ingest/import.server";
import { computeSegments } from "~/segments/compute.server";
import { standardise, sweepK } from "~/segments/kmeans";
import { sweepKParallel } from "~/segments/sweep.server";
import { calendarDays, netSpend, personaFeatures } from "~/segments/rfm";
import { writeDemoCsv } from "../seed/generate";

// npm run bench (personas): the persona sweep k = 2…10, 10 k-means++ restarts each, exact silhouettes, on the Online
// Retail customers (4,338) when ../shared/data has the file, else on 541,909 generated lines; medians of 5 runs. The
// worker threads are the compiled ones of dist/ (npm run bench builds first).
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORKER = join(ROOT, "dist", "sweep-worker.js");
const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
const dir = mkdtempSync(join(tmpdir(), "campaign-lab-bench-personas-"));
try {
  const db = openDb(join(dir, "personas.db"));
  let source = REAL;
  if (!existsSync(REAL)) {
    source = join(dir, "generated.csv");
    await writeDemoCsv(source, { lines: 541_909, seed: 1 });
  }
  await importFile(db, source);
  const id = db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
  const lastDay = (db.$client.prepare("SELECT last_at FROM datasets WHERE id = ?").pluck().get(id) as string).slice(
    0,
    10,
  );
  const rows = db.$client
    .prepare("SELECT customer_id, last_purchase_at, orders, revenue, returns FROM customers WHERE dataset_id = ?")
    .raw()
    .all(id) as [string, string, number, number, number][];
  // the features an import sweeps: spend net of returns (issue 14), as app/segments/compute.server.ts
  const { z } = standardise(
    rows.map(([customerId, last, f, revenue, returns]) =>
      personaFeatures({
        customerId,
        recency: calendarDays(last, lastDay),
        frequency: f,
        monetary: netSpend(revenue, returns) / 1000,
      }),
    ),
  );
  // wall and CPU (all threads of the process) of each way, alternated: one thread, then the workers an import uses
  const ways = {
    "one thread (sweepK)": [] as number[][],
    "worker threads (sweepKParallel, as an import)": [] as number[][],
  };
  let best = 0;
  for (let i = 0; i < 5; i++) {
    for (const [way, runs] of Object.entries(ways)) {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      best = (way.startsWith("one") ? sweepK(z, 2, 10, 10, 42) : await sweepKParallel(z, 2, 10, 10, 42, WORKER)).bestK;
      const used = process.cpuUsage(cpu);
      runs.push([(performance.now() - t0) / 1000, (used.user + used.system) / 1e6]);
    }
  }
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) whole.push(computeSegments(db, id).seconds);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\nPersona benchmark: ${existsSync(REAL) ? "Online Retail" : "generated"} customers: ${rows.length.toLocaleString("en-GB")}; load average ${loadavg()[0].toFixed(2)}`,
  );
  for (const [way, runs] of Object.entries(ways))
    console.log(
      `sweep k = 2…10 × 10 restarts + exact silhouettes, ${way}: median ${median(runs.map((r) => r[0])).toFixed(2)} s wall, ${median(runs.map((r) => r[1])).toFixed(2)} s CPU (runs ${runs.map((r) => r[0].toFixed(2)).join(", ")}); best k = ${best}`,
    );
  console.log(`RFM + sweep + naming + storing on one thread (computeSegments): median ${median(whole).toFixed(2)} s`);
  db.$client.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
