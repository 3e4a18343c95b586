import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../test/support/server";

// npm run bench:load (#12 "How it is checked"): the built server on loopback only (127.0.0.1) with its default web
// workers and the demo data, 100 connections for BENCH_SECONDS (30) spread over the pages and JSON reports, while the
// real Online Retail file (../shared/data/online_retail.csv.gz; else the demo generator's 541,909 lines) is uploaded
// and imported through the API. Bounded: autocannon stops after the time, the import is awaited at most 10 minutes.
// Passes when there are no errors, no timeouts and no non-2xx answers, and the import finished.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const PAGES = [
  "/",
  "/segments",
  "/api/segments",
  "/cohorts",
  "/revenue",
  "/api/report/monthly",
  "/experiments",
  "/audiences",
];

type Load = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
};

function autocannon(urls: string[]): Promise<Load> {
  return new Promise((resolve, reject) => {
    // one autocannon per page, 100 connections in all, as one JSON summary each
    const per = Math.max(1, Math.floor(100 / urls.length));
    const runs = urls.map(
      (url) =>
        new Promise<Load & { latencies: number[] }>((done, fail) => {
          const child = spawn(
            join(ROOT, "node_modules", ".bin", "autocannon"),
            ["-j", "-c", String(per), "-d", String(SECONDS), "-t", "20", url],
            { stdio: ["ignore", "pipe", "pipe"] },
          );
          let out = "";
          child.stdout.on("data", (c) => (out += c));
          child.on("error", fail);
          child.on("close", () => {
            try {
              const r = JSON.parse(out);
              done({
                requests: r.requests.total,
                rps: r.requests.average,
                p50: r.latency.p50,
                p99: r.latency.p99,
                errors: r.errors,
                timeouts: r.timeouts,
                non2xx: r.non2xx,
                latencies: [r.latency.p50, r.latency.p99],
              });
            } catch (err) {
              fail(err);
            }
          });
        }),
    );
    Promise.all(runs)
      .then((rs) =>
        resolve({
          requests: rs.reduce((s, r) => s + r.requests, 0),
          rps: rs.reduce((s, r) => s + r.rps, 0),
          p50: Math.max(...rs.map((r) => r.p50)),
          p99: Math.max(...rs.map((r) => r.p99)),
          errors: rs.reduce((s, r) => s + r.errors, 0),
          timeouts: rs.reduce((s, r) => s + r.timeouts, 0),
          non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
        }),
      )
      .catch(reject);
  });
}

async function importThroughApi(
  base: string,
  file: string,
): Promise<{ seconds: number; status: string; error: string | null }> {
  const started = performance.now();
  const up = await fetch(`${base}/api/uploads`, {
    method: "POST",
    body: readFileSync(file),
    headers: { "X-File-Name": basename(file) },
  });
  const { upload } = (await up.json()) as { upload: { id: string } };
  const job = (await (
    await fetch(`${base}/api/imports`, {
      method: "POST",
      body: JSON.stringify({ uploadId: upload.id, name: `load ${Date.now()}` }),
      headers: { "Content-Type": "application/json" },
    })
  ).json()) as { id: string };
  for (let i = 0; i < 1200; i++) {
    const state = (await (await fetch(`${base}/api/imports/${job.id}`)).json()) as {
      status: string;
      error: string | null;
    };
    if (state.status !== "running")
      return { seconds: (performance.now() - started) / 1000, status: state.status, error: state.error };
    await new Promise((r) => setTimeout(r, 500));
  }
  return { seconds: (performance.now() - started) / 1000, status: "still running after 10 minutes", error: null };
}

const dir = mkdtempSync(join(tmpdir(), "campaign-lab-load-"));
let file = REAL;
if (!existsSync(REAL)) {
  const { writeDemoCsv } = await import("../seed/generate");
  file = join(dir, "generated.csv");
  const { DEFAULT_SEED_OPTIONS } = await import("../seed/generate");
  await writeDemoCsv(file, { ...DEFAULT_SEED_OPTIONS, lines: 541_909 });
}
const server = await startServer({ DATABASE_PATH: join(dir, "load.db"), DEMO_LINES: "100000", HOST: "127.0.0.1" });
try {
  for (const page of PAGES) await (await fetch(server.url + page)).arrayBuffer(); // warm
  const [load, imported] = await Promise.all([
    autocannon(PAGES.map((p) => server.url + p)),
    importThroughApi(server.url, file).catch((err: Error) => ({
      seconds: 0,
      status: "failed to start",
      error: `${err.message} (${String((err as { cause?: unknown }).cause)})`,
    })),
  ]);
  const ok = load.errors === 0 && load.timeouts === 0 && load.non2xx === 0 && imported.status === "done";
  console.log(JSON.stringify({ connections: 100, seconds: SECONDS, ...load, import: imported, ok }));
  console.log(
    `${load.requests.toLocaleString("en-GB")} requests (${Math.round(load.rps)}/s), p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.errors} errors, ${load.timeouts} timeouts, ${load.non2xx} non-2xx; ` +
      `import ${imported.status} in ${imported.seconds.toFixed(1)} s${imported.error ? ` (${imported.error})` : ""} → ${ok ? "PASS" : "FAIL"}`,
  );
  process.exitCode = ok ? 0 : 1;
  if (!ok) console.log(`server log (last lines):\n${server.log().split("\n").slice(-15).join("\n")}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
