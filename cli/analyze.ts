import { readFile } from "node:fs/promises";
import { z } from "zod";
import { openCliDb } from "./db";
import { analyseResultSet, resultSetSchema } from "~/experiments/analyze-input";
import { experimentAnalysis } from "~/experiments/results.server";
import { describeIssues } from "~/lib/validation";
import { parse, positiveInt, UsageError } from "./args";
import { ANALYZE_USAGE } from "./usage";
import { messageOf } from "~/lib/errors";

export async function analyzeCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    input: { type: "string" },
    experiment: { type: "string" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  if (!!values.input === !!values.experiment) throw new UsageError(`usage: ${ANALYZE_USAGE}`);
  if (values.input) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(values.input, "utf8"));
    } catch (err) {
      throw new UsageError(`--input ${values.input}: ${messageOf(err)}`);
    }
    const parsed = z.array(resultSetSchema).min(1).safeParse(raw);
    if (!parsed.success) throw new UsageError(`invalid input: ${describeIssues(parsed.error)}`);
    process.stdout.write(JSON.stringify(parsed.data.map(analyseResultSet)) + "\n");
    return;
  }
  const id = positiveInt(values.experiment, "--experiment")!;
  const db = openCliDb(values.db);
  try {
    const recorded = experimentAnalysis(db, id);
    if (!recorded) throw new Error(`Experiment ${id} has no recorded results (or does not exist)`);
    if (!recorded.analysis) throw new Error(recorded.problem ?? "The results cannot be analysed");
    process.stdout.write(
      JSON.stringify({
        source: recorded.results.source,
        recordedAt: recorded.results.recordedAt,
        ...recorded.analysis,
      }) + "\n",
    );
  } finally {
    db.$client.close();
  }
}
