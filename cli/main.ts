import { UsageError } from "./args";
import { IMPORT_USAGE, importCommand } from "./import";
import { ANALYZE_USAGE, analyzeCommand } from "./analyze";
import { CLV_USAGE, clvCommand } from "./clv";
import { PLAN_USAGE, planCommand } from "./plan";
import { POWER_USAGE, powerCommand } from "./power";
import { REPORT_USAGE, reportCommand } from "./report";
import { SEED_USAGE, seedCommand } from "./seed";
import { SEGMENTS_USAGE, segmentsCommand } from "./segments";

const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => Promise<void> }> = {
  import: { usage: IMPORT_USAGE, run: importCommand },
  seed: { usage: SEED_USAGE, run: seedCommand },
  report: { usage: REPORT_USAGE, run: reportCommand },
  segments: { usage: SEGMENTS_USAGE, run: segmentsCommand },
  power: { usage: POWER_USAGE, run: powerCommand },
  analyze: { usage: ANALYZE_USAGE, run: analyzeCommand },
  clv: { usage: CLV_USAGE, run: clvCommand },
  plan: { usage: PLAN_USAGE, run: planCommand },
};

function help(): string {
  return ["usage: npm run -s cli -- <command>", ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join("\n") + "\n";
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help") {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}`);
  await command.run(rest);
  return 0;
}

// a reader that stops early (`| head`) is not an error
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

// Every error is one line on stderr and a non-zero exit code (usage errors 2, others 1).
main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
