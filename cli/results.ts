import { openDb } from "~/db/db.server";
import { databasePath } from "~/db/paths.server";
import { recordMeasured, type MeasuredReport } from "~/experiments/measure.server";
import { AppError } from "~/lib/errors";
import { parse, positiveInt, UsageError } from "./args";
import { RESULTS_USAGE } from "./usage";

// `results <sub> ID`: recording an experiment's results from the command line. `measure` (issue 13) measures them
// from the data set's own transactions; errors are one line on stderr, exit 2, and change nothing.

type Sub = (id: number, argv: string[], dbPath: string | undefined, asJson: boolean) => Promise<void>;

const SUBCOMMANDS: Record<string, Sub> = { measure: measureCommand };

export async function resultsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) throw new UsageError(`usage: ${RESULTS_USAGE}`);
  const { values, positionals } = parse(rest, { db: { type: "string" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(`usage: ${RESULTS_USAGE}`);
  const id = positiveInt(positionals[0], "the experiment ID")!;
  try {
    await run(id, rest, values.db, values.json ?? false);
  } catch (err) {
    // an experiment that refuses (not started, nothing observed yet) is the user's to fix: exit 2
    if (err instanceof AppError) throw new UsageError(err.message);
    throw err;
  }
}

async function measureCommand(id: number, _argv: string[], dbPath: string | undefined, asJson: boolean): Promise<void> {
  const db = openDb(databasePath(dbPath));
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
    ...r.arms.map((x) => `  ${x.name.padEnd(14)} ${String(x.users).padStart(7)} ${String(x.conversions).padStart(7)} ${money(x.revenueSum).padStart(12)} ${String(x.orders).padStart(7)} ${money(x.refunded).padStart(10)} ${money(x.preSpendSum).padStart(12)}`),
  ];
  if (a) {
    for (const c of a.primary.comparisons) {
      const f = c.relative;
      const p = f.pValue ?? c.absolute.pValue;
      const chance = f.chanceToWin;
      lines.push(
        `  ${c.arm} vs control (${a.primary.metric}, ${a.engine.label}${a.interim ? ", interim" : ""}): lift ${pct(f.estimate)}, interval ${pct(f.ci?.[0] ?? null)} to ${pct(f.ci?.[1] ?? null)}` +
          (p !== undefined && p !== null ? `, p = ${p.toFixed(3)}` : chance !== undefined && chance !== null ? `, chance to win ${pct(chance)}` : ""),
      );
    }
    lines.push(`  decision: ${a.decision.verdict}: ${a.decision.reasons.join(" ")}`);
  } else if (r.problem) lines.push(`  no analysis: ${r.problem}`);
  return lines.join("\n") + "\n";
}
