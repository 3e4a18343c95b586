import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDemoCsv } from "../seed/generate";

// npm run bench: end-to-end import of the real Online Retail file (when ../shared/data has it) and of generated files of
// 541,909 and 5,000,000 lines. Each import runs in its own process on a new database; figures are medians of the runs.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), "campaign-lab-bench-"));

type Run = {
  linesRead: number;
  seconds: { parse: number; clean: number; store: number; derive: number; total: number };
  maxRssMb: number;
};

function importOnce(file: string): Run {
  const db = join(work, `bench-${Date.now()}.db`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/import-one.ts", file, db], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
  if (r.status !== 0) throw new Error(`import of ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bench(label: string, file: string, runs: number) {
  const results = Array.from({ length: runs }, () => importOnce(file));
  const m = (pick: (r: Run) => number) => median(results.map(pick));
  const total = m((r) => r.seconds.total);
  const lines = results[0].linesRead;
  const mb = statSync(file).size / 1024 ** 2;
  console.log(
    `${label.padEnd(28)} ${lines.toLocaleString("en-GB").padStart(10)} lines ${mb.toFixed(0).padStart(5)} MB | ` +
      `parse ${m((r) => r.seconds.parse).toFixed(2)} s, clean ${m((r) => r.seconds.clean).toFixed(2)} s, ` +
      `store ${m((r) => r.seconds.store).toFixed(2)} s, derive ${m((r) => r.seconds.derive).toFixed(2)} s | ` +
      `total ${total.toFixed(2)} s (runs: ${results.map((r) => r.seconds.total.toFixed(2)).join(", ")}) | ` +
      `${Math.round(lines / total).toLocaleString("en-GB")} lines/s | peak RSS ${m((r) => r.maxRssMb).toFixed(0)} MB`,
  );
  return lines / total;
}

try {
  console.log(
    `Import benchmark: medians of ${RUNS} runs (1 run for 5,000,000 lines), each in its own process on a new database\n`,
  );
  const rates: Record<string, number> = {};
  if (existsSync(REAL)) rates.real = bench("Online Retail (real, .gz)", REAL, RUNS);
  else console.log("(../shared/data/online_retail.csv.gz not found: real-file run skipped)");
  const small = join(work, "generated-541909.csv");
  await writeDemoCsv(small, { lines: 541_909, seed: 1 });
  rates.small = bench("generated", small, RUNS);
  const big = join(work, "generated-5000000.csv");
  const t0 = performance.now();
  await writeDemoCsv(big, { lines: 5_000_000, seed: 2 });
  console.log(`(generated 5,000,000 lines in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  rates.big = bench("generated", big, 1);
  console.log(`\n5,000,000-line rate ÷ 541,909-line rate: ${(rates.big / rates.small).toFixed(2)} (target ≥ 0.70)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
