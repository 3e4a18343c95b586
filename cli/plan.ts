import { readFile } from "node:fs/promises";
import { describeIssues } from "~/lib/validation";
import { allocateBudget } from "~/planning/allocate";
import { planRequestSchema } from "~/planning/plan-input";
import { parse, UsageError } from "./args";
import { PLAN_USAGE } from "./usage";


export async function planCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { budget: { type: "string" }, input: { type: "string" }, json: { type: "boolean" } });
  if (values.budget === undefined || !values.input) throw new UsageError(`usage: ${PLAN_USAGE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(values.input, "utf8"));
  } catch (err) {
    throw new UsageError(`--input ${values.input}: ${(err as Error).message}`);
  }
  const candidates = Array.isArray(raw) ? raw : (raw as { candidates?: unknown })?.candidates;
  if (values.budget.trim() === "" || !Number.isFinite(Number(values.budget))) throw new UsageError(`--budget expects a number, got "${values.budget}"`);
  const parsed = planRequestSchema.safeParse({ budget: Number(values.budget), candidates });
  if (!parsed.success) throw new UsageError(`invalid input: ${describeIssues(parsed.error)}`);
  const result = allocateBudget(parsed.data.budget, parsed.data.candidates);
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  for (const a of result.allocations) process.stdout.write(`${a.name.padEnd(40)} ${String(a.contacts).padStart(8)} contacts  spend ${a.spend.toFixed(2).padStart(10)}  expected profit ${a.expectedProfit.toFixed(2).padStart(12)}\n`);
  process.stdout.write(`total spend ${result.spend.toFixed(2)} of ${parsed.data.budget.toFixed(2)}, expected profit ${result.expectedProfit.toFixed(2)}\n`);
}
