import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDemoCsv } from "../seed/generate";
import { startServer } from "../test/support/server";
import type { ImportReport, StageSeconds } from "../app/types/import";

// npm run bench (scale, issue 15 target 5): generated files of 0.5M, 5M and 15M lines (50M with BENCH_LARGE=1;
// BENCH_SCALE="0.5,2" for other sizes, in millions). Each size: the whole `cli import` process (wall and CPU seconds
// per million lines, peak RSS, its stages as the report times them, in wall and in CPU seconds), the column file it writes (bytes, seconds to spool
// and write it), the server's first page right after the import (the database not yet checked: decision 0014), after a
// restart with the column file and after a restart without it (removed: the columns read from SQLite), and warm pages
// (median of 5); then the growth exponent of each measure between the smallest and largest size:
// log(t₂/t₁) / log(n₂/n₁), where 1 is linear (target ≤ 1.1). CPU seconds (user + system, every thread of the process)
// grow with the work whatever else runs; wall seconds also grow with the machine's load, printed before and after each
// size.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const sizes = (process.env.BENCH_SCALE ?? (process.env.BENCH_LARGE === "1" ? "0.5,5,15,50" : "0.5,5,15"))
  .split(",")
  .map((m) => Math.round(Number(m) * 1e6));
const PAGES = ["/", "/segments", "/experiments", "/value", "/api/segments"];
const STAGES = ["parse", "clean", "store", "locked", "segments", "columnFile"] as const;
const work = mkdtempSync(join(tmpdir(), "campaign-lab-bench-scale-"));

type Row = {
  lines: number;
  importSeconds: number;
  cpuSeconds: number;
  rssMb: number;
  stages: Record<(typeof STAGES)[number], number>;
  /** the same stages in CPU seconds (the report's cpuSeconds: the importing thread's; segments, the sweep's threads') */
  cpuStages: Record<(typeof STAGES)[number], number>;
  columnBytes: number;
  coldStart: number;
  withFile: number;
  withoutFile: number;
  pages: Record<string, number>;
  load: [number, number];
};

const stagesOf = (s: StageSeconds) =>
  Object.fromEntries(STAGES.map((k) => [k, s[k] ?? 0])) as Record<(typeof STAGES)[number], number>;

function timedImport(file: string, db: string): { seconds: number; cpu: number; rssMb: number; report: ImportReport } {
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "TIME %e %U %S %M", process.execPath, "dist/cli.js", "import", file, "--db", db, "--json"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const line = r.stderr.split("\n").find((l) => l.startsWith("TIME "));
  if (r.status !== 0 || !line) throw new Error(`import of ${file} failed: ${r.stderr.slice(-2000)}`);
  const [seconds, user, system, rss] = line.slice(5).split(" ").map(Number);
  return { seconds, cpu: user + system, rssMb: rss / 1024, report: JSON.parse(r.stdout) as ImportReport };
}

async function page(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = () => loadavg()[0];
const rows: Row[] = [];
try {
  console.log(`\nScale benchmark: ${sizes.map((n) => `${n / 1e6}M`).join(", ")} generated lines`);
  for (const lines of sizes) {
    const file = join(work, `generated-${lines}.csv`);
    await writeDemoCsv(file, { lines, seed: 7 });
    const db = join(work, `scale-${lines}.db`);
    const columns = join(work, "columns");
    const loadBefore = load1();
    const imported = timedImport(file, db);
    rmSync(file, { force: true });
    const columnFile = readdirSync(columns).find((f) => f.endsWith(".bin"));
    if (!columnFile) throw new Error(`the import of ${lines} lines wrote no column file`);
    const columnBytes = statSync(join(columns, columnFile)).size;
    const start = async () => {
      const t0 = performance.now();
      // the page cache off: warm pages measure the data layer, not the cached answer
      const server = await startServer(
        { DATABASE_PATH: db, DEMO_DATA: "off", PAGE_CACHE: "off", WEB_WORKERS: "1" },
        { timeoutMs: 600_000 }, // 15M and 50M lines read from SQLite on a loaded machine
      );
      const first = await page(server.url + "/").catch(async (err: Error) => {
        await server.stop();
        throw new Error(`${err.message}; the server said:\n${server.log().slice(-3000)}`);
      });
      return { server, first, seconds: (performance.now() - t0) / 1000 };
    };
    const restart = async () => {
      const s = await start();
      await s.server.stop();
      return s.seconds;
    };
    const pages: Record<string, number> = {};
    try {
      const cold = await start();
      try {
        for (const p of PAGES) {
          await page(cold.server.url + p);
          const times: number[] = [];
          for (let i = 0; i < 5; i++) times.push(await page(cold.server.url + p));
          pages[p] = median(times);
        }
      } finally {
        await cold.server.stop();
      }
      // with the file, without it (the start reads SQLite and writes the file again), with it: alternately
      const withFile = [await restart()];
      rmSync(join(columns, columnFile));
      const withoutFile = await restart();
      withFile.push(await restart());
      const row: Row = {
        lines,
        importSeconds: imported.seconds,
        cpuSeconds: imported.cpu,
        rssMb: imported.rssMb,
        stages: stagesOf(imported.report.seconds),
        cpuStages: stagesOf(imported.report.cpuSeconds!),
        columnBytes,
        coldStart: cold.seconds,
        withFile: Math.min(...withFile),
        withoutFile,
        pages,
        load: [loadBefore, load1()],
      };
      rows.push(row);
      const m = lines / 1e6;
      console.log(
        `${m.toString().padStart(5)}M lines (load average ${row.load.map((l) => l.toFixed(1)).join(" → ")}): import ${imported.seconds.toFixed(1)} s, ` +
          `${(imported.seconds / m).toFixed(2)} s per million (CPU ${(imported.cpu / m).toFixed(2)} s per million), peak RSS ${imported.rssMb.toFixed(0)} MB; ` +
          `stages ${STAGES.map((k) => `${k} ${row.stages[k].toFixed(1)} s`).join(", ")}\n` +
          `        stages in CPU seconds ${STAGES.map((k) => `${k} ${row.cpuStages[k].toFixed(2)}`).join(", ")}\n` +
          `        column file ${(columnBytes / 1e6).toFixed(1)} MB (${(columnBytes / lines).toFixed(1)} bytes a line), spooled and written in ${row.stages.columnFile.toFixed(1)} s | ` +
          `first page after the import ${cold.seconds.toFixed(1)} s, after a restart with the column file ${row.withFile.toFixed(1)} s, without it ${withoutFile.toFixed(1)} s (target ≤ 10 s at 15M) | ` +
          `warm ${PAGES.map((p) => `${p} ${pages[p].toFixed(0)} ms`).join(", ")}`,
      );
    } finally {
      for (const suffix of ["", "-wal", "-shm", ".checked"]) rmSync(db + suffix, { force: true });
      rmSync(columns, { recursive: true, force: true });
    }
  }
  if (rows.length >= 2) {
    const a = rows[0];
    const b = rows[rows.length - 1];
    const exponent = (x: number, y: number) =>
      (Math.log(Math.max(0.01, y) / Math.max(0.01, x)) / Math.log(b.lines / a.lines)).toFixed(2);
    const loads = rows.flatMap((r) => r.load);
    console.log(
      `growth exponents ${a.lines / 1e6}M → ${b.lines / 1e6}M (target ≤ 1.1): import ${exponent(a.importSeconds, b.importSeconds)} (CPU ${exponent(a.cpuSeconds, b.cpuSeconds)}), ` +
        `${STAGES.map((k) => `${k} ${exponent(a.stages[k], b.stages[k])}`).join(", ")}; ` +
        `in CPU seconds ${STAGES.map((k) => `${k} ${exponent(a.cpuStages[k], b.cpuStages[k])}`).join(", ")}; peak RSS ${exponent(a.rssMb, b.rssMb)}, ` +
        `column file bytes ${exponent(a.columnBytes, b.columnBytes)}, first page after the import ${exponent(a.coldStart, b.coldStart)}, ` +
        `after a restart with the column file ${exponent(a.withFile, b.withFile)}, without it ${exponent(a.withoutFile, b.withoutFile)}, ` +
        `${PAGES.map((p) => `${p} ${exponent(Math.max(1, a.pages[p]), Math.max(1, b.pages[p]))}`).join(", ")}`,
    );
    console.log(
      `load average from ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} during the run` +
        (Math.max(...loads) > 1.5 * Math.min(...loads)
          ? ": it changed by more than half, so wall-clock exponents mix growth and load (the CPU exponents do not)"
          : ""),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
