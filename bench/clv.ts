import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Random } from "../seed/random";
import { dayNumber, dayText } from "~/analytics/facts";
import { fitBgNbd, fitGammaGamma } from "~/planning/clv";
import { startServer } from "../test/support/server";
import { loadRealOrGenerated, REAL_LABEL } from "./real-file";

// npm run bench (CLV):
// 1. fitting BG/NBD + Gamma-Gamma by maximum likelihood on 25,000 customers simulated from known parameters (39-week
//    calibration, CDNOW-like); medians of 3 fits, and the parameters recovered;
// 2. a new calibration end on /value (issue 15 target 4, ≤ 300 ms), on the real Online Retail file (else 541,909
//    generated lines) served by the built server with its default web workers, after a first visit of /value: the time
//    from asking to the figures (GET /api/clv polled every 50 ms while it answers 202, or /value until its page shows
//    the fit) for ends never fitted, for the day after an end just fitted, for the page, and for an end fitted already.
const rng = new Random(2024);
const random = rng.next;
const gamma = (shape: number, scale: number) => rng.gamma(shape, scale);
const truth = { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4, p: 6, q: 4, v: 15 };
const customers = Array.from({ length: 25_000 }, () => {
  const T = 39 - random() * 12;
  const lambda = gamma(truth.r, 1 / truth.alpha);
  const ga = gamma(truth.a, 1);
  const p = ga / (ga + gamma(truth.b, 1));
  let t = 0;
  let x = 0;
  let tx = 0;
  for (;;) {
    t += -Math.log(1 - random()) / lambda;
    if (t > T) break;
    x++;
    tx = t;
    if (random() < p) break;
  }
  const nu = gamma(truth.q, 1 / truth.v);
  const m = x > 0 ? Array.from({ length: x }, () => gamma(truth.p, 1 / nu)).reduce((a, b) => a + b, 0) / x : 0;
  return { x, tx, T, m };
});
const times: number[] = [];
let fitted = fitBgNbd(customers);
let gg = fitGammaGamma(customers.filter((c) => c.x > 0));
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  fitted = fitBgNbd(customers);
  gg = fitGammaGamma(customers.filter((c) => c.x > 0));
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(
  `\nCLV benchmark: BG/NBD + Gamma-Gamma fit on 25,000 simulated customers: median ${times[1].toFixed(2)} s (runs ${times.map((t) => t.toFixed(2)).join(", ")})`,
);
console.log(
  `  recovered r ${fitted.r.toFixed(3)} (true ${truth.r}), α ${fitted.alpha.toFixed(2)} (${truth.alpha}), a ${fitted.a.toFixed(3)} (${truth.a}), b ${fitted.b.toFixed(2)} (${truth.b}); p ${gg.p.toFixed(2)} (${truth.p}), q ${gg.q.toFixed(2)} (${truth.q}), v ${gg.v.toFixed(2)} (${truth.v})`,
);

/** Ends never fitted before (not the default end), each followed by the day after it and a page three days before. */
const ENDS = ["2011-05-20", "2011-06-15", "2011-09-20", "2011-03-15", "2011-08-01", "2011-07-10", "2011-04-20"];

/** CPU milliseconds used so far by a process and its children (the web workers), every thread (Linux /proc). */
function cpuMillis(pid: number): number {
  try {
    const [utime, stime] = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return ((+utime + +stime) * 1000) / 100 + children.reduce((s, c) => s + cpuMillis(+c), 0); // USER_HZ = 100
  } catch {
    return NaN; // not Linux
  }
}

/** Milliseconds from asking until the figures: polls every 50 ms while the answer says the fit runs. */
async function untilFigures(url: string, ready: (status: number, body: string) => boolean): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 600; i++) {
    const res = await fetch(url);
    const body = await res.text();
    if (ready(res.status, body)) return performance.now() - t0;
    if (res.status !== 202 && res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}: no figures after 600 polls`);
}

const dir = mkdtempSync(join(tmpdir(), "campaign-lab-bench-clv-"));
try {
  const dbPath = join(dir, "clv.db");
  loadRealOrGenerated(dbPath);
  const server = await startServer({ DATABASE_PATH: dbPath, DEMO_DATA: "off" });
  try {
    const api = (end: string) =>
      untilFigures(`${server.url}/api/clv?calibrationEnd=${end}`, (status) => status === 200);
    const page = (end: string) =>
      untilFigures(`${server.url}/value?calibrationEnd=${end}`, (_, body) =>
        body.includes('data-testid="clv-fit-used"'),
      );
    const first = await untilFigures(`${server.url}/value`, (_, body) => body.includes('data-testid="clv-fit-used"'));
    const loads = [loadavg()[0]];
    const times = { cold: [] as number[], next: [] as number[], page: [] as number[], again: [] as number[] };
    const cpu = { cold: [] as number[], next: [] as number[] };
    const withCpu = async (into: number[], f: () => Promise<number>) => {
      const before = cpuMillis(server.pid);
      const ms = await f();
      into.push(cpuMillis(server.pid) - before);
      return ms;
    };
    for (const end of ENDS) {
      const day = dayNumber(end);
      times.cold.push(await withCpu(cpu.cold, () => api(end)));
      times.next.push(await withCpu(cpu.next, () => api(dayText(day + 1))));
      times.page.push(await page(dayText(day - 3)));
      times.again.push(await api(end));
      loads.push(loadavg()[0]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const line = (label: string, xs: number[]) =>
      `  ${label}: median ${median(xs).toFixed(0)} ms (${xs.map((t) => t.toFixed(0)).join(", ")})`;
    console.log(
      `\nCLV benchmark: a new calibration end → figures on ${REAL_LABEL}, ` +
        `${ENDS.length} ends (target ≤ 300 ms; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}); ` +
        `first /value ${first.toFixed(0)} ms`,
    );
    const cpuLine = (xs: number[]) => `; server CPU median ${median(xs).toFixed(0)} ms (all threads, 10 ms ticks)`;
    console.log(line("GET /api/clv, an end never fitted", times.cold) + cpuLine(cpu.cold));
    console.log(line("GET /api/clv, the day after an end just fitted", times.next) + cpuLine(cpu.next));
    console.log(line("/value page, a new end three days before one fitted", times.page));
    console.log(line("GET /api/clv, an end fitted already", times.again));
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
