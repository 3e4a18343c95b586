import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { openDb } from "~/db/db.server";
import { importFile } from "~/ingest/import.server";
import { computeSegments } from "~/segments/compute.server";
import { standardise, sweepK } from "~/segments/kmeans";
import { calendarDays, personaFeatures } from "~/segments/rfm";
import { writeDemoCsv } from "../seed/generate";

// npm run bench (personas): the persona sweep k = 2…10, 10 k-means++ restarts each, exact silhouettes, on the Online
// Retail customers (4,338) when ../shared/data has the file, else on 541,909 generated lines; medians of 5 runs.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
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
    .prepare("SELECT customer_id, last_purchase_at, orders, revenue FROM customers WHERE dataset_id = ?")
    .raw()
    .all(id) as [string, string, number, number][];
  const { z } = standardise(
    rows.map(([customerId, last, f, m]) =>
      personaFeatures({ customerId, recency: calendarDays(last, lastDay), frequency: f, monetary: m / 1000 }),
    ),
  );
  const sweeps: number[] = [];
  let best = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    best = sweepK(z, 2, 10, 10, 42).bestK;
    sweeps.push((performance.now() - t0) / 1000);
  }
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) whole.push(computeSegments(db, id).seconds);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\nPersona benchmark: ${existsSync(REAL) ? "Online Retail" : "generated"} customers: ${rows.length.toLocaleString("en-GB")}`,
  );
  console.log(
    `sweep k = 2…10 × 10 restarts + exact silhouettes: median ${median(sweeps).toFixed(2)} s (runs ${sweeps.map((s) => s.toFixed(2)).join(", ")}); best k = ${best}`,
  );
  console.log(`RFM + sweep + naming + storing (computeSegments): median ${median(whole).toFixed(2)} s`);
  db.$client.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
