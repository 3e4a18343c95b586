import { readFile } from "node:fs/promises";
import { describeIssues } from "~/lib/validation";
import { allocateBudget } from "~/planning/allocate";
import { planRequestSchema } from "~/planning/plan-input";
import { learnedPlan } from "~/planning/plan.server";
import { openCliDb } from "./db";
import { activeDatasetId } from "~/db/datasets.server";
import { parse, UsageError } from "./args";
import { PLAN_USAGE } from "./usage";
import { messageOf } from "~/lib/errors";

export async function planCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    budget: { type: "string" },
    input: { type: "string" },
    learned: { type: "boolean" },
    borrow: { type: "boolean" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.budget === undefined || !!values.input === !!values.learned) throw new UsageError(`usage: ${PLAN_USAGE}`);
  if (values.learned) {
    if (values.budget.trim() === "" || !Number.isFinite(Number(values.budget)) || Number(values.budget) < 0)
      throw new UsageError(`--budget expects a number ≥ 0, got "${values.budget}"`);
    const db = openCliDb(values.db);
    try {
      const id = activeDatasetId(db);
      if (id === null) throw new UsageError("No data set yet: import one first");
      const plan = learnedPlan(db, id, Number(values.budget), !!values.borrow);
      if (values.json) {
        process.stdout.write(JSON.stringify(plan) + "\n");
        return;
      }
      for (const c of plan.candidates)
        process.stdout.write(
          `${c.name.padEnd(45)} lift ${(c.lift * 100).toFixed(1)}% (${(c.liftInterval[0] * 100).toFixed(1)}% to ${(c.liftInterval[1] * 100).toFixed(1)}%)${c.borrowed ? " BORROWED" : ""}  profit ${c.profitRange[0].toFixed(2)} to ${c.profitRange[1].toFixed(2)}\n`,
        );
      for (const t of plan.testFirst)
        process.stdout.write(
          `${t.name.padEnd(45)} test first: ${t.perArm === null ? "test size not computable" : `${t.perArm} per arm (${t.total} in all${t.fits ? "" : `, more than the ${t.audience} in the segment`})`}\n`,
        );
      process.stdout.write(
        `total spend ${plan.spend.toFixed(2)} of ${Number(values.budget).toFixed(2)}, expected profit ${plan.expectedProfit.toFixed(2)}\n`,
      );
      return;
    } finally {
      db.$client.close();
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(values.input!, "utf8"));
  } catch (err) {
    throw new UsageError(`--input ${values.input}: ${messageOf(err)}`);
  }
  const candidates = Array.isArray(raw) ? raw : (raw as { candidates?: unknown })?.candidates;
  if (values.budget.trim() === "" || !Number.isFinite(Number(values.budget)))
    throw new UsageError(`--budget expects a number, got "${values.budget}"`);
  const parsed = planRequestSchema.safeParse({ budget: Number(values.budget), candidates });
  if (!parsed.success) throw new UsageError(`invalid input: ${describeIssues(parsed.error)}`);
  const result = allocateBudget(parsed.data.budget, parsed.data.candidates);
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  for (const a of result.allocations)
    process.stdout.write(
      `${a.name.padEnd(40)} ${String(a.contacts).padStart(8)} contacts  spend ${a.spend.toFixed(2).padStart(10)}  expected profit ${a.expectedProfit.toFixed(2).padStart(12)}\n`,
    );
  process.stdout.write(
    `total spend ${result.spend.toFixed(2)} of ${parsed.data.budget.toFixed(2)}, expected profit ${result.expectedProfit.toFixed(2)}\n`,
  );
}
