import { openCliDb } from "./db";
import { DEFAULT_SEED_OPTIONS, writeDemoCsv } from "../seed/generate";
import { importDemo } from "../seed/import-demo";
import { parse, positiveInt, wholeNumber } from "./args";
import { progressPrinter } from "./progress";

export async function seedCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    lines: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    workspace: { type: "string" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  const options = {
    lines: positiveInt(values.lines, "--lines") ?? DEFAULT_SEED_OPTIONS.lines,
    seed: wholeNumber(values.seed, "--seed") ?? DEFAULT_SEED_OPTIONS.seed,
  };
  if (values.out) {
    const lines = await writeDemoCsv(values.out, options);
    process.stderr.write(`Wrote ${lines.toLocaleString("en-GB")} lines to ${values.out}\n`);
    return;
  }
  // without --out the demo file is imported through the same pipeline as any user's file
  const db = openCliDb(values.db);
  try {
    const progress = progressPrinter("Importing the demo data", false);
    const report = await importDemo(db, options, { name: values.workspace, onProgress: progress.update });
    progress.end();
    process.stdout.write(
      values.json
        ? JSON.stringify(report) + "\n"
        : `Imported ${report.linesRead.toLocaleString("en-GB")} demo lines as "${report.dataset}"\n`,
    );
  } finally {
    db.$client.close();
  }
}
