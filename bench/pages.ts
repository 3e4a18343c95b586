import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { startServer } from "../test/support/server";

// npm run bench (pages): the built server on an Online-Retail-size data set (the real file when ../shared/data has it,
// else 541,909 generated lines); each page requested REQUESTS times, one at a time; median and p95 server time.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
export const PAGES = ["/", "/cohorts", "/revenue", "/data", "/segments", "/segments/champions?sort=frequency&page=2", "/segments/personas", "/audiences", "/?from=2011-06-01&to=2011-11-30&country=Germany", "/revenue?country=France", "/api/report/cohorts"];

export async function benchPages(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "campaign-lab-bench-pages-"));
  const db = join(dir, "pages.db");
  try {
    const load = existsSync(REAL)
      ? ["import", REAL, "--db", db]
      : ["seed", "--lines", "541909", "--db", db];
    const r = spawnSync(process.execPath, ["dist/cli.js", ...load], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const server = await startServer({ DATABASE_PATH: db, DEMO_DATA: "off" });
    try {
      console.log(`Page benchmark: ${existsSync(REAL) ? "Online Retail (real)" : "541,909 generated lines"}, ${REQUESTS} sequential requests per page (after one warm-up)`);
      for (const page of PAGES) {
        await fetch(server.url + page).then((res) => res.text());
        const times: number[] = [];
        for (let i = 0; i < REQUESTS; i++) {
          const t0 = performance.now();
          const res = await fetch(server.url + page);
          await res.text();
          if (!res.ok) throw new Error(`${page}: HTTP ${res.status}`);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
        console.log(`${page.padEnd(52)} median ${at(0.5).padStart(6)} ms   p95 ${at(0.95).padStart(6)} ms`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPages();
