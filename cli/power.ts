import { readFile } from "node:fs/promises";
import { powerInputSchema, powerRequestSchema } from "~/experiments/power-input";
import { analysePower, PowerInputError } from "~/experiments/stats/power";
import { describeIssues } from "~/lib/validation";
import { parse, UsageError } from "./args";
import { messageOf } from "~/lib/errors";

const number = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} expects a number, got "${v}"`);
  return n;
};

export async function powerCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    metric: { type: "string" },
    baseline: { type: "string" },
    mean: { type: "string" },
    sd: { type: "string" },
    mde: { type: "string" },
    relative: { type: "boolean" },
    alpha: { type: "string" },
    power: { type: "string" },
    sides: { type: "string" },
    ratio: { type: "string" },
    arms: { type: "string" },
    method: { type: "string" },
    n: { type: "string" },
    input: { type: "string" },
    json: { type: "boolean" },
  });
  let raw: unknown;
  if (values.input) {
    try {
      raw = JSON.parse(await readFile(values.input, "utf8"));
    } catch (err) {
      throw new UsageError(`--input ${values.input}: ${messageOf(err)}`);
    }
  } else {
    raw = Object.fromEntries(
      Object.entries({
        metric: values.metric,
        baseline: number(values.baseline, "--baseline"),
        mean: number(values.mean, "--mean"),
        sd: number(values.sd, "--sd"),
        mde: number(values.mde, "--mde"),
        relative: values.relative,
        alpha: number(values.alpha, "--alpha"),
        power: number(values.power, "--power"),
        sides: number(values.sides, "--sides"),
        ratio: number(values.ratio, "--ratio"),
        arms: number(values.arms, "--arms"),
        method: values.method,
        n: number(values.n, "--n"),
      }).filter(([, v]) => v !== undefined),
    );
  }
  const parsed = (values.input && Array.isArray(raw) ? powerRequestSchema : powerInputSchema).safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid input: ${describeIssues(parsed.error)}`);
  const inputs = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  let results;
  try {
    results = inputs.map(analysePower);
  } catch (err) {
    if (err instanceof PowerInputError) throw new UsageError(err.message);
    throw err;
  }
  const out = Array.isArray(parsed.data) ? results : results[0];
  if (values.json || values.input) {
    process.stdout.write(JSON.stringify(out) + "\n");
    return;
  }
  for (const r of results) {
    process.stdout.write(
      `per arm: control ${r.nControl.toLocaleString("en-GB")}, treatment ${r.nTreatment.toLocaleString("en-GB")}; total ${r.nTotal.toLocaleString("en-GB")}\n` +
        `power ${(100 * r.power).toFixed(2)}% · MDE ${r.mdeAbsolute.toPrecision(6)} absolute${r.mdeRelative === null ? "" : `, ${(100 * r.mdeRelative).toFixed(2)}% relative`} · ${r.method} · α per comparison ${r.alphaPerComparison}\n`,
    );
  }
}
