import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// npm run bench (start-up and file to ready, issue 15 targets 1 and 3):
// - `cli --help`: the compiled CLI (node dist/cli.js) and through npm (`npm run -s cli -- --help`), beside a bare
//   `node -e 0` to show what the machine itself costs at the moment; medians of 11.
// - File to ready: the whole `cli import` process on the real Online Retail file (every derived table, RFM and the
//   persona sweep) against the notebook it replaces (bench/notebook.py: pandas + scikit-learn), alternately, median
//   of BENCH_RUNS (3). Wall and CPU seconds (user + system) per run: the machine is shared, CPU time is the steadier.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
const work = mkdtempSync(join(tmpdir(), "campaign-lab-bench-ready-"));

type Timed = { wall: number; cpu: number; rssMb: number; stdout: string };

/** One process under /usr/bin/time: wall, user + system seconds and peak RSS. */
function timed(command: string, args: string[], env: Record<string, string> = {}): Timed {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %U %S %M", command, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const line = r.stderr.split("\n").find((l) => l.startsWith("TIME "));
  if (r.status !== 0 || !line) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  const [wall, user, sys, rss] = line.slice(5).split(" ").map(Number);
  return { wall, cpu: user + sys, rssMb: rss / 1024, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `${median(xs).toFixed(2)} s (runs ${xs.map((x) => x.toFixed(2)).join(", ")})`;

try {
  console.log("Start-up: medians of 11");
  const starts = { node: [] as number[], cli: [] as number[], npm: [] as number[] };
  for (let i = 0; i < 11; i++) {
    starts.node.push(timed(process.execPath, ["-e", "0"]).wall);
    starts.cli.push(timed(process.execPath, ["dist/cli.js", "--help"]).wall);
    starts.npm.push(timed("npm", ["run", "-s", "cli", "--", "--help"]).wall);
  }
  console.log(`  node -e 0 (the machine's floor)        ${median(starts.node).toFixed(2)} s`);
  console.log(`  node dist/cli.js --help                ${median(starts.cli).toFixed(2)} s (target ≤ 0.30 s)`);
  console.log(`  npm run -s cli -- --help (with npm)    ${median(starts.npm).toFixed(2)} s`);

  if (!existsSync(REAL)) {
    console.log("\n(../shared/data/online_retail.csv.gz not found: file-to-ready runs skipped)");
  } else {
    const python = spawnSync(PYTHON, ["-c", "import pandas, sklearn"], { encoding: "utf8" }).status === 0;
    if (!python)
      console.log(
        `\n(${PYTHON} has no pandas + scikit-learn: the notebook side is skipped; apt-get install python3-pandas python3-sklearn)`,
      );
    const ours: Timed[] = [];
    const theirs: Timed[] = [];
    for (let i = 0; i < RUNS; i++) {
      const db = join(work, `ready-${i}.db`);
      ours.push(timed(process.execPath, ["dist/cli.js", "import", REAL, "--db", db, "--json"]));
      for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
      if (python) theirs.push(timed(PYTHON, ["bench/notebook.py", REAL]));
    }
    console.log(`\nFile to ready, Online Retail (541,909 lines), ${RUNS} runs alternately`);
    console.log(
      `  cli import (whole process)   wall ${fmt(ours.map((r) => r.wall))}, CPU ${fmt(ours.map((r) => r.cpu))}, peak RSS ${median(ours.map((r) => r.rssMb)).toFixed(0)} MB`,
    );
    if (python) {
      const stages = theirs.map((r) => JSON.parse(r.stdout).seconds as Record<string, number>);
      console.log(
        `  notebook (pandas + sklearn)  wall ${fmt(theirs.map((r) => r.wall))}, CPU ${fmt(theirs.map((r) => r.cpu))}, peak RSS ${median(theirs.map((r) => r.rssMb)).toFixed(0)} MB`,
      );
      console.log(
        `    of which ${Object.keys(stages[0])
          .filter((k) => k !== "total")
          .map((k) => `${k} ${median(stages.map((s) => s[k])).toFixed(2)} s`)
          .join(", ")}`,
      );
      console.log(
        `  ratio cli ÷ notebook: wall ${(median(ours.map((r) => r.wall)) / median(theirs.map((r) => r.wall))).toFixed(2)}, CPU ${(median(ours.map((r) => r.cpu)) / median(theirs.map((r) => r.cpu))).toFixed(2)} (target ≤ 0.50)`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
