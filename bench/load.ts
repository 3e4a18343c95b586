import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment } from "~/experiments/experiments.server";
import { SEGMENTS } from "~/segments/rfm";
import { startServer } from "../test/support/server";
import { loadRealOrGenerated, REAL_LABEL, ROOT } from "./real-file";

// npm run bench (pages under load, issue 15 target 4), on the real Online Retail file (else 541,909 generated lines)
// with 50 experiments, the built server with its default web workers (one per core):
// 1. server time of each page alone: median and p95 of BENCH_REQUESTS (50) sequential requests after a warm-up;
// 2. saturation: autocannon, 100 connections for BENCH_SECONDS (30) on /, /overview, /segments, /api/segments and
//    /experiments: requests per second, p50, p99, errors;
// 3. 100 users with think time: each loads a page (round robin over the pages) every 2 s for BENCH_USERS_SECONDS (60):
//    p50, p99, errors and the five slowest answers (page, second of the run). Bounded: the run ends after that time plus
//    the slowest answer, and where the answers came from (X-Page-Cache). Then the same run with one write in its middle
//    (choosing k): the pages that read segments are rendered again (docs/decisions/0019);
// 4. the k chooser (POST /segments/personas, intent=choose), median of 10 (last: it changes the data).
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const USERS_SECONDS = Number(process.env.BENCH_USERS_SECONDS ?? 60);
const EXPERIMENTS = 50;
// BENCH_PARTS=pages,saturation,users,users-write,choose (the default: all) runs only some parts
const PARTS = new Set((process.env.BENCH_PARTS ?? "pages,saturation,users,users-write,choose").split(","));
const PAGES = [
  "/",
  "/overview",
  "/cohorts",
  "/revenue",
  "/data",
  "/segments",
  "/segments/champions?sort=frequency&page=2",
  "/segments/personas",
  "/audiences",
  "/experiments",
  "/experiments/new",
  "/value",
  "/plan",
  "/recommendations",
  "/?from=2011-06-01&to=2011-11-30&country=Germany",
  "/revenue?country=France",
  "/api/segments",
  "/api/report/cohorts",
];
const SATURATE = ["/", "/overview", "/segments", "/api/segments", "/experiments"];

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function timedFetch(url: string, init?: RequestInit): Promise<{ ms: number; status: number; from: string }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status, from: res.headers.get("x-page-cache") ?? "uncached" };
}

function autocannon(url: string): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "autocannon"),
      ["-j", "-c", "100", "-d", String(SECONDS), url],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("close", () => {
      try {
        const r = JSON.parse(out);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        });
      } catch (err) {
        reject(err);
      }
    });
  });
}

async function users(
  base: string,
  pages: string[],
  write?: () => Promise<unknown>,
): Promise<{ requests: number; p50: number; p99: number; errors: number; slowest: string; from: string }> {
  const latencies: number[] = [];
  const from = new Map<string, number>(); // where answers came from (X-Page-Cache: cache, stale, render)
  const slow: { page: string; ms: number; at: number }[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + USERS_SECONDS * 1000;
  const user = async (u: number) => {
    await new Promise((r) => setTimeout(r, (u * 2000) / 100)); // arrivals spread over the first think time
    for (let i = u; performance.now() < end; i++) {
      const started = performance.now();
      const page = pages[i % pages.length];
      try {
        const r = await timedFetch(base + page);
        latencies.push(r.ms);
        from.set(r.from, (from.get(r.from) ?? 0) + 1);
        slow.push({ page, ms: r.ms, at: (started - t0) / 1000 });
        if (r.status >= 400) errors++;
      } catch {
        errors++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, started + 2000 - performance.now())));
    }
  };
  // a write in the middle of the run (the pages that read what it changed are rendered again in each worker)
  const writer = write ? new Promise((r) => setTimeout(r, (USERS_SECONDS * 1000) / 2)).then(write) : Promise.resolve();
  await Promise.all([writer, ...Array.from({ length: 100 }, (_, u) => user(u))]);
  // where the tail is: the slowest answers, with the page and when in the run
  const slowest = slow
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((s) => `${s.page} ${s.ms.toFixed(0)} ms at ${s.at.toFixed(1)} s`)
    .join("; ");
  return {
    requests: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors,
    slowest,
    from: [...from].map(([how, n]) => `${n} ${how}`).join(", "),
  };
}

const dir = mkdtempSync(join(tmpdir(), "campaign-lab-bench-load-"));
try {
  const dbPath = join(dir, "load.db");
  loadRealOrGenerated(dbPath);
  const db = openDb(dbPath);
  const datasetId = activeDatasetId(db)!;
  for (let i = 0; i < EXPERIMENTS; i++) {
    saveExperiment(db, datasetId, {
      ...DEFAULT_DESIGN,
      name: `Load test ${i + 1}`,
      audience: { kind: "segment", segment: SEGMENTS[i % SEGMENTS.length] },
      windowDays: ([7, 30, 60, 90] as const)[i % 4],
      stats: { ...DEFAULT_DESIGN.stats, mde: 0.05 + (i % 5) * 0.05 },
    });
  }
  db.$client.close();
  const t0 = performance.now();
  const server = await startServer({ DATABASE_PATH: dbPath, DEMO_DATA: "off" });
  console.log(
    `\nPage benchmark: ${REAL_LABEL}, ${EXPERIMENTS} experiments; server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  try {
    const pages: string[] = [];
    for (const page of PAGES) {
      const first = await timedFetch(server.url + page);
      if (first.status === 404 && page === "/overview") {
        console.log(`${page.padEnd(52)} (no such page on this branch)`);
        continue;
      }
      if (first.status >= 400) throw new Error(`${page}: HTTP ${first.status}`);
      pages.push(page);
      if (!PARTS.has("pages")) continue;
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) times.push((await timedFetch(server.url + page)).ms);
      console.log(
        `${page.padEnd(52)} first ${first.ms.toFixed(0).padStart(5)} ms, median ${quantile(times, 0.5).toFixed(1).padStart(6)} ms, p95 ${quantile(times, 0.95).toFixed(1).padStart(6)} ms`,
      );
    }
    if (PARTS.has("saturation"))
      console.log(`\nSaturation: autocannon, 100 connections, ${SECONDS} s each (target ≥ 300 req/s)`);
    for (const page of SATURATE.filter((p) => PARTS.has("saturation") && pages.includes(p))) {
      const a = await autocannon(server.url + page);
      console.log(
        `${page.padEnd(16)} ${a.rps.toFixed(0).padStart(6)} req/s   p50 ${String(a.p50).padStart(5)} ms   p99 ${String(a.p99).padStart(5)} ms   errors ${a.errors}, non-2xx ${a.non2xx}`,
      );
    }
    // steady browsing: every page visited on each worker first (a write, as the k chooser below, makes them cold again)
    for (let i = 0; i < 4; i++) for (const p of pages) await timedFetch(server.url + p);
    if (PARTS.has("users")) {
      const u = await users(
        server.url,
        pages.filter((p) => !p.startsWith("/api/")),
      );
      console.log(
        `\n100 users, a page every 2 s for ${USERS_SECONDS} s: ${u.requests} requests, p50 ${u.p50.toFixed(0)} ms, p99 ${u.p99.toFixed(0)} ms (target ≤ 200 ms), errors ${u.errors}\n  answers: ${u.from}\n  slowest: ${u.slowest}`,
      );
    }
    if (PARTS.has("users-write")) {
      for (const p of pages) await timedFetch(server.url + p); // the write run starts warm too
      const choose = () =>
        timedFetch(`${server.url}/segments/personas`, {
          method: "POST",
          body: new URLSearchParams({ intent: "choose", k: "4" }),
          redirect: "manual",
        });
      const u = await users(
        server.url,
        pages.filter((p) => !p.startsWith("/api/")),
        choose,
      );
      console.log(
        `the same with one write at ${USERS_SECONDS / 2} s (choosing k): ${u.requests} requests, p50 ${u.p50.toFixed(0)} ms, p99 ${u.p99.toFixed(0)} ms (target ≤ 200 ms), errors ${u.errors}\n  answers: ${u.from}\n  slowest: ${u.slowest}`,
      );
    }
    // the k chooser: the POST that stores k and relabels every customer, then the page's data the browser reloads
    // after it (`.data`, rendered again: the database changed)
    const choose: number[] = [];
    const chooseAndReload: number[] = [];
    for (let i = 0; PARTS.has("choose") && i < 10; i++) {
      const k = 2 + (i % 9);
      const res = await timedFetch(`${server.url}/segments/personas`, {
        method: "POST",
        body: new URLSearchParams({ intent: "choose", k: String(k) }),
        redirect: "manual",
      });
      if (res.status >= 400) throw new Error(`k chooser: HTTP ${res.status}`);
      const reload = await timedFetch(`${server.url}/segments/personas.data`);
      if (reload.status >= 400) throw new Error(`k chooser's reload: HTTP ${reload.status}`);
      choose.push(res.ms);
      chooseAndReload.push(res.ms + reload.ms);
    }
    if (choose.length)
      console.log(
        `\nk chooser (POST /segments/personas)                  median ${quantile(choose, 0.5).toFixed(1)} ms (target ≤ 100 ms); with the page's data reloaded after it ${quantile(chooseAndReload, 0.5).toFixed(1)} ms`,
      );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
