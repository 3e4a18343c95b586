// Sweeps extreme inputs through every search and solve of the statistics and model code, as a child process so that a
// search that never ends is killed by the test's time limit instead of hanging it (test/security/solvers.test.ts).
// Prints one JSON line: calls made, the slowest call, and every call that returned a non-finite number without a reason.
import { powerInputSchema } from "~/experiments/power-input";
import { analyseResultSet, resultSetSchema } from "~/experiments/analyze-input";
import { chiSquareSf } from "~/experiments/stats/analysis";
import { ibeta, pnorm, pnt, pt, qnorm, qt } from "~/experiments/stats/distributions";
import { analysePower, mdeAt, powerCurve, PowerInputError } from "~/experiments/stats/power";
import { fitBgNbd, fitGammaGamma, hyp2f1 } from "~/planning/clv";
import { nelderMead } from "~/planning/optimise";
import { mulberry32 } from "~/lib/random";

const random = mulberry32(20261206);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const failures: string[] = [];
let calls = 0;
let slowest = { ms: 0, what: "" };

function time(what: string, fn: () => unknown): void {
  const t0 = performance.now();
  try {
    const out = fn();
    const bad = JSON.stringify(out, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? "NON-FINITE" : v));
    if (bad.includes("NON-FINITE") && !what.startsWith("dist ")) failures.push(`${what} → ${bad.slice(0, 200)}`);
  } catch (err) {
    if (!(err instanceof PowerInputError)) failures.push(`${what} threw ${(err as Error).message.slice(0, 200)}`);
  }
  const ms = performance.now() - t0;
  calls++;
  if (ms > slowest.ms) slowest = { ms, what };
}

// 1. Power: every input the schema accepts either gives finite figures or a PowerInputError (a 400 saying why).
const ALPHA = [1e-300, 1e-16, 1e-15, 1e-11, 1e-10, 2e-10, 1e-6, 0.05, 0.5];
const POWER = [1e-300, 1e-9, 0.5, 0.8, 0.999999, 1 - 1e-9, 1 - 1e-12];
const SMALL_BIG = [1e-300, 1e-12, 1e-3, 1, 1e3, 1e12, 1e300];
for (let i = 0; i < 4000; i++) {
  const metric = pick(["proportion", "mean"] as const);
  const raw: Record<string, unknown> = {
    metric,
    alpha: pick(ALPHA),
    power: pick(POWER),
    sides: pick([1, 2]),
    ratio: pick([0.01, 1, 100]),
    arms: pick([1, 2, 10]),
    relative: pick([false, true]),
  };
  if (metric === "proportion") {
    raw.baseline = pick([1e-12, 1e-6, 0.01, 0.5, 0.99, 1 - 1e-12]);
    if (random() < 0.8)
      raw.mde = pick([1e-15, 1e-9, 1e-3, 0.1, 0.5]) * (raw.relative ? 1 : Number(raw.baseline) < 0.5 ? 1 : -1);
    raw.method = pick(["pooled", "arcsine"]);
  } else {
    raw.sd = pick(SMALL_BIG);
    raw.mean = pick([0, -1e300, -1, 1, 1e300, ...SMALL_BIG]);
    if (random() < 0.8) raw.mde = pick(SMALL_BIG) * pick([1, -1]);
    raw.method = pick(["t", "z"]);
  }
  if (raw.mde === undefined || random() < 0.3) raw.n = pick([2, 3, 1000, 1e6, 1e12]);
  const parsed = powerInputSchema.safeParse(raw);
  if (!parsed.success) {
    calls++;
    continue;
  }
  const what = `power ${JSON.stringify(raw)}`;
  time(what, () => analysePower(parsed.data));
  if (parsed.data.n) time(`mdeAt ${what}`, () => mdeAt(parsed.data, parsed.data.n!));
  if (parsed.data.mde !== undefined) time(`curve ${what}`, () => powerCurve(parsed.data, pick([20, 1e6, 1e12]), 8));
}
// the two reproductions
for (const raw of [
  { metric: "mean", sd: 1, n: 100, alpha: 1e-16 },
  { metric: "mean", sd: 1, n: 100, alpha: 1e-15, arms: 10 },
]) {
  const parsed = powerInputSchema.safeParse(raw);
  if (parsed.success) time(`power ${JSON.stringify(raw)}`, () => analysePower(parsed.data));
}

// 2. Distribution functions at the edges (a number or NaN, never a hang).
const XS = [-Infinity, -1e300, -40, -8, -1, 0, 1e-300, 1, 8, 40, 1e300, Infinity, NaN];
const DFS = [1e-3, 1, 2, 30, 1e4, 4e5, 1e12, 1e300];
const PS = [0, 1e-300, 1e-17, 1e-10, 0.5, 1 - 1e-10, 1 - 1e-16, 1];
for (const x of XS) {
  time(`dist pnorm(${x})`, () => pnorm(x));
  for (const df of DFS) {
    time(`dist pt(${x}, ${df})`, () => pt(x, df));
    for (const ncp of [0, 1e-6, 1, 38, 1e3, 1e300]) time(`dist pnt(${x}, ${df}, ${ncp})`, () => pnt(x, df, ncp));
  }
}
for (const p of PS) {
  time(`dist qnorm(${p})`, () => qnorm(p));
  for (const df of DFS) time(`dist qt(${p}, ${df})`, () => qt(p, df));
}
for (const x of [0, 1e-300, 1e-10, 0.5, 1 - 1e-10, 1])
  for (const a of [1e-300, 1e-3, 1, 1e6, 1e15])
    for (const b of [1e-3, 0.5, 1e6, 1e15]) time(`dist ibeta(${x}, ${a}, ${b})`, () => ibeta(x, a, b));
for (const x of [0, 1e-300, 1, 1e6, 1e300])
  for (const k of [1, 2, 9, 1e6]) time(`dist chiSquareSf(${x}, ${k})`, () => chiSquareSf(x, k));
for (const z of [0, 0.5, 0.999, 1 - 1e-9])
  for (const a of [1e-3, 1, 1e3]) time(`dist hyp2f1(${a}, ${a}, ${a + 1}, ${z})`, () => hyp2f1(a, a, a + 1, z));

// 3. Analysis of result sets with extreme counts and sums (through the schema, as POST /api/analyze).
for (let i = 0; i < 400; i++) {
  const metric = pick(["proportion", "mean"] as const);
  const arms = Array.from({ length: pick([2, 10]) }, (_, k) => {
    if (metric === "proportion") {
      const users = pick([2, 3, 1000, 1e9, 2 ** 53 - 1]);
      return { name: `a${k}`, users, conversions: Math.floor(users * pick([0, 1e-9, 0.5, 1])) };
    }
    const n = pick([2, 1000, 1e9]);
    const mean = pick([-1e150, -1, 1e-300, 1, 1e150]);
    const sd = pick([0, 1e-300, 1, 1e150]);
    return { name: `a${k}`, n, sum: mean * n, sumSquares: (sd * sd + mean * mean) * n };
  });
  const engine = pick(["fixed", "sequential", "bayesian"] as const);
  const extra =
    engine === "sequential"
      ? { sequential: { tuning: pick([1, 5000, 1e9]) } }
      : engine === "bayesian"
        ? { prior: { mean: pick([-1e6, 0, 1]), variance: pick([1e-300, 0.09, 1e300]), proper: pick([true, false]) } }
        : {};
  const parsed = resultSetSchema.safeParse({
    metric,
    alpha: pick(ALPHA.filter((a) => a <= 0.5)),
    arms,
    engine,
    inverse: pick([true, false]),
    ...extra,
  });
  if (parsed.success) time(`analyze ${JSON.stringify(arms).slice(0, 150)}`, () => analyseResultSet(parsed.data));
  else calls++;
}

// 4. The optimiser: a ridge that runs away for ever, NaN everywhere, a flat function; and the CLV fits on odd data.
for (const [name, f] of [
  ["runaway ridge", (x: number[]) => -x[0] - x[1]],
  ["NaN", () => NaN],
  ["flat", () => 1],
  ["-Infinity", (x: number[]) => (x[0] > 3 ? -Infinity : x[0])],
] as const) {
  const t0 = performance.now();
  const r = nelderMead(f, [0, 0], { maxMillis: 2_000 });
  const ms = performance.now() - t0;
  calls++;
  if (ms > slowest.ms) slowest = { ms, what: `nelderMead ${name}` };
  if (name === "runaway ridge" && r.status !== "diverged")
    failures.push(`nelderMead runaway ridge ended "${r.status}" at ${r.x}`);
}
const degenerate = Array.from({ length: 200 }, (_, i) => ({ x: i % 2 ? 0 : 40, tx: i % 2 ? 0 : 50, T: 50 }));
time("fitBgNbd degenerate", () => {
  const fit = fitBgNbd(degenerate);
  return fit.status === "converged" ? fit : { status: fit.status };
});
time("fitGammaGamma identical values", () => {
  const fit = fitGammaGamma(Array.from({ length: 50 }, () => ({ x: 3, m: 10 })));
  return { status: fit.status };
});

process.stdout.write(
  JSON.stringify({ calls, slowest, failures: failures.slice(0, 20), failureCount: failures.length }) + "\n",
);
