import { openCliDb } from "./db";
import { recordMeasured, type MeasuredReport } from "~/experiments/measure.server";
import { AppError, messageOf } from "~/lib/errors";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { recordFromBody, simulationBody, uploadBody } from "~/experiments/record.server";
import type { UploadAccounting } from "~/experiments/results.server";
import { describeIssues } from "~/lib/validation";
import { parse, positiveInt, UsageError } from "./args";
import { RESULTS_USAGE } from "./usage";

// `results <sub> ID`: recording an experiment's results from the command line. `measure` (issue 13) measures them
// from the data set's own transactions; errors are one line on stderr, exit 2, and change nothing.

type Sub = (id: number, argv: string[], dbPath: string | undefined, asJson: boolean) => Promise<void>;

// the dispatch point: one function per source (`simulate` and `upload` from the lifecycle, issue 16)
const SUBCOMMANDS: Record<string, Sub> = { measure: measureCommand, simulate: simulateCommand, upload: uploadCommand };
const RECORD_OPTIONS = {
  db: { type: "string" },
  json: { type: "boolean" },
  seed: { type: "string" },
  lift: { type: "string", multiple: true },
  "spend-lift": { type: "string", multiple: true },
  absent: { type: "string" },
  accept: { type: "boolean" },
} as const;

export async function resultsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) throw new UsageError(`usage: ${RESULTS_USAGE}`);
  const { values, positionals } = parse(
    rest,
    sub === "measure" ? { db: { type: "string" }, json: { type: "boolean" } } : RECORD_OPTIONS,
  );
  if (positionals.length !== (sub === "upload" ? 2 : 1)) throw new UsageError(`usage: ${RESULTS_USAGE}`);
  const id = positiveInt(positionals[0], "the experiment ID")!;
  try {
    await run(id, rest, values.db as string | undefined, (values.json as boolean | undefined) ?? false);
  } catch (err) {
    // an experiment that refuses (not started, nothing observed yet) is the user's to fix: exit 2
    if (err instanceof AppError) throw new UsageError(err.message);
    throw err;
  }
}

async function measureCommand(id: number, _argv: string[], dbPath: string | undefined, asJson: boolean): Promise<void> {
  const db = openCliDb(dbPath);
  try {
    const report = recordMeasured(db, id);
    process.stdout.write(asJson ? JSON.stringify(report) + "\n" : measuredText(report));
  } finally {
    db.$client.close();
  }
}

const money = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

export function measuredText(r: MeasuredReport): string {
  const a = r.analysis;
  const lines = [
    `Measured from the data set: start day ${r.startDate}, day ${r.daysObserved} of ${r.windowDays} observed, through ${r.observedThrough}${r.daysObserved < r.windowDays ? " (interim)" : " (final)"}`,
    `  ${"arm".padEnd(14)} ${"users".padStart(7)} ${"buyers".padStart(7)} ${"revenue".padStart(12)} ${"orders".padStart(7)} ${"refunded".padStart(10)} ${"pre-spend".padStart(12)}`,
    ...r.arms.map(
      (x) =>
        `  ${x.name.padEnd(14)} ${String(x.users).padStart(7)} ${String(x.conversions).padStart(7)} ${money(x.revenueSum).padStart(12)} ${String(x.orders).padStart(7)} ${money(x.refunded).padStart(10)} ${money(x.preSpendSum).padStart(12)}`,
    ),
  ];
  if (a) {
    for (const c of a.primary.comparisons) {
      const f = c.relative;
      const p = f.pValue ?? c.absolute.pValue;
      const chance = f.chanceToWin;
      lines.push(
        `  ${c.arm} vs control (${a.primary.metric}, ${a.engine.label}${a.interim ? ", interim" : ""}): lift ${pct(f.estimate)}, interval ${pct(f.ci?.[0] ?? null)} to ${pct(f.ci?.[1] ?? null)}` +
          (p !== undefined && p !== null
            ? `, p = ${p.toFixed(3)}`
            : chance !== undefined && chance !== null
              ? `, chance to win ${pct(chance)}`
              : ""),
      );
    }
    lines.push(`  decision: ${a.decision.verdict}: ${a.decision.reasons.join(" ")}`);
  } else if (r.problem) lines.push(`  no analysis: ${r.problem}`);
  return lines.join("\n") + "\n";
}

/** ARM=X pairs of --lift / --spend-lift as a record; X a fraction (0.15 is +15%). */
function armValues(pairs: string[] | undefined, flag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs ?? []) {
    const m = /^(.+)=(-?\d+(?:\.\d+)?)$/.exec(pair);
    if (!m) throw new UsageError(`${flag} expects ARM=X (X a fraction, 0.15 for +15%), got "${pair}"`);
    out[m[1].trim()] = Number(m[2]);
  }
  return out;
}

async function recordCommand(id: number, body: unknown, dbPath: string | undefined, asJson: boolean): Promise<void> {
  const parsed = z.discriminatedUnion("source", [simulationBody, uploadBody]).safeParse(body);
  if (!parsed.success) throw new UsageError(`invalid input: ${describeIssues(parsed.error)}`);
  const db = openCliDb(dbPath);
  try {
    const r = recordFromBody(db, id, parsed.data);
    const accounting = (r as { accounting?: UploadAccounting }).accounting;
    const text = [
      `recorded ${r.rehearsal ? "a REHEARSAL (simulated)" : `results (${r.source})`} for experiment ${id}`,
      ...(accounting
        ? [
            `  assigned ${accounting.assigned}, lines in the file ${accounting.linesInFile}, accepted ${accounting.accepted}, absent ${accounting.absent} (${accounting.absentTreatment}), refused lines ${accounting.refused}`,
          ]
        : []),
      ...(r.analysis
        ? [`  decision: ${r.analysis.decision.verdict}: ${r.analysis.decision.reasons.join(" ")}`]
        : r.problem
          ? [`  no analysis: ${r.problem}`]
          : []),
    ];
    process.stdout.write(asJson ? JSON.stringify(r) + "\n" : text.join("\n") + "\n");
  } finally {
    db.$client.close();
  }
}

async function simulateCommand(id: number, argv: string[], dbPath: string | undefined, asJson: boolean): Promise<void> {
  const { values } = parse(argv, RECORD_OPTIONS);
  if (values.seed === undefined || !/^\d{1,10}$/.test(values.seed))
    throw new UsageError("results simulate needs --seed S (a whole number)");
  await recordCommand(
    id,
    {
      source: "simulation",
      seed: Number(values.seed),
      lift: armValues(values.lift, "--lift"),
      spendLift: armValues(values["spend-lift"], "--spend-lift"),
    },
    dbPath,
    asJson,
  );
}

async function uploadCommand(id: number, argv: string[], dbPath: string | undefined, asJson: boolean): Promise<void> {
  const { values, positionals } = parse(argv, RECORD_OPTIONS);
  const absent = values.absent ?? "zero";
  if (absent !== "zero" && absent !== "exclude")
    throw new UsageError(`--absent must be zero or exclude, got "${absent}"`);
  let csv: string;
  try {
    csv = await readFile(positionals[1], "utf8");
  } catch (err) {
    throw new UsageError(`${positionals[1]}: ${messageOf(err).split("\n")[0]}`);
  }
  await recordCommand(id, { source: "upload", csv, accept: values.accept ?? false, absent }, dbPath, asJson);
}
