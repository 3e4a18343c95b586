import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDemoCsv } from "../seed/generate";
import { startServer } from "../test/support/server";

// npm run bench (scale, issue 15 target 5): generated files of 0.5M, 5M and 15M lines (50M with BENCH_LARGE=1;
// BENCH_SCALE="0.5,2" for other sizes, in millions). Each size: the whole `cli import` process (seconds per million
// lines, peak RSS), the server's cold start to its first page right after the import (columns read from SQLite, the
// file checked) and at a restart (columns read from their file, the unchanged file not checked again: decision 0014),
// and warm pages (median of 5); then the growth exponent of each measure between the smallest and largest size:
// log(t₂/t₁) / log(n₂/n₁), where 1 is linear (target ≤ 1.1).
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const sizes = (process.env.BENCH_SCALE ?? (process.env.BENCH_LARGE === "1" ? "0.5,5,15,50" : "0.5,5,15"))
  .split(",")
  .map((m) => Math.round(Number(m) * 1e6));
const PAGES = ["/", "/segments", "/experiments", "/value", "/api/segments"];
const work = mkdtempSync(join(tmpdir(), "campaign-lab-bench-scale-"));

type Row = {
  lines: number;
  importSeconds: number;
  rssMb: number;
  coldStart: number;
  restart: number;
  pages: Record<string, number>;
};

function timedImport(file: string, db: string): { seconds: number; rssMb: number } {
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "TIME %e %M", process.execPath, "dist/cli.js", "import", file, "--db", db, "--json"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const line = r.stderr.split("\n").find((l) => l.startsWith("TIME "));
  if (r.status !== 0 || !line) throw new Error(`import of ${file} failed: ${r.stderr.slice(-2000)}`);
  const [seconds, rss] = line.slice(5).split(" ").map(Number);
  return { seconds, rssMb: rss / 1024 };
}

async function page(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: Row[] = [];
try {
  console.log(`\nScale benchmark: ${sizes.map((n) => `${n / 1e6}M`).join(", ")} generated lines`);
  for (const lines of sizes) {
    const file = join(work, `generated-${lines}.csv`);
    await writeDemoCsv(file, { lines, seed: 7 });
    const db = join(work, `scale-${lines}.db`);
    const imported = timedImport(file, db);
    rmSync(file, { force: true });
    const start = async () => {
      const t0 = performance.now();
      // the page cache off: warm pages measure the data layer, not the cached answer
      const server = await startServer(
        { DATABASE_PATH: db, DEMO_DATA: "off", PAGE_CACHE: "off", WEB_WORKERS: "1" },
        { timeoutMs: 600_000 }, // 15M and 50M lines read from SQLite on a loaded machine
      );
      const first = await page(server.url + "/");
      return { server, first, seconds: (performance.now() - t0) / 1000 };
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
      const again = await start();
      await again.server.stop();
      rows.push({
        lines,
        importSeconds: imported.seconds,
        rssMb: imported.rssMb,
        coldStart: cold.seconds,
        restart: again.seconds,
        pages,
      });
      console.log(
        `${(lines / 1e6).toString().padStart(5)}M lines: import ${imported.seconds.toFixed(1)} s (${(imported.seconds / (lines / 1e6)).toFixed(2)} s per million), peak RSS ${imported.rssMb.toFixed(0)} MB | ` +
          `first page after the import ${cold.seconds.toFixed(1)} s, after a restart ${again.seconds.toFixed(1)} s (target ≤ 10 s at 15M) | warm ${PAGES.map((p) => `${p} ${pages[p].toFixed(0)} ms`).join(", ")}`,
      );
    } finally {
      for (const suffix of ["", "-wal", "-shm", ".checked"]) rmSync(db + suffix, { force: true });
      rmSync(join(work, "columns"), { recursive: true, force: true });
    }
  }
  if (rows.length >= 2) {
    const a = rows[0];
    const b = rows[rows.length - 1];
    const exponent = (x: number, y: number) => (Math.log(y / x) / Math.log(b.lines / a.lines)).toFixed(2);
    console.log(
      `growth exponents ${a.lines / 1e6}M → ${b.lines / 1e6}M (target ≤ 1.1): import ${exponent(a.importSeconds, b.importSeconds)}, peak RSS ${exponent(a.rssMb, b.rssMb)}, first page after the import ${exponent(a.coldStart, b.coldStart)}, after a restart ${exponent(a.restart, b.restart)}, ${PAGES.map((p) => `${p} ${exponent(Math.max(1, a.pages[p]), Math.max(1, b.pages[p]))}`).join(", ")}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
