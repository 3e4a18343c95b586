import { UsageError } from "./args";
import {
  ANALYZE_USAGE,
  EXPERIMENT_USAGE,
  CLV_USAGE,
  CURRENCY_USAGE,
  IMPORT_USAGE,
  PLAN_USAGE,
  POWER_USAGE,
  REPORT_USAGE,
  RESULTS_USAGE,
  SEED_USAGE,
  SEGMENTS_USAGE,
  WAREHOUSE_USAGE,
} from "./usage";

type Run = (argv: string[]) => Promise<void>;

// Each command's module loads only when it runs: `--help` and `power` start without the database driver or the app.
const COMMANDS: Record<string, { usage: string; load: () => Promise<Run> }> = {
  import: { usage: IMPORT_USAGE, load: async () => (await import("./import")).importCommand },
  seed: { usage: SEED_USAGE, load: async () => (await import("./seed")).seedCommand },
  report: { usage: REPORT_USAGE, load: async () => (await import("./report")).reportCommand },
  segments: { usage: SEGMENTS_USAGE, load: async () => (await import("./segments")).segmentsCommand },
  power: { usage: POWER_USAGE, load: async () => (await import("./power")).powerCommand },
  analyze: { usage: ANALYZE_USAGE, load: async () => (await import("./analyze")).analyzeCommand },
  clv: { usage: CLV_USAGE, load: async () => (await import("./clv")).clvCommand },
  plan: { usage: PLAN_USAGE, load: async () => (await import("./plan")).planCommand },
  experiment: { usage: EXPERIMENT_USAGE, load: async () => (await import("./experiment")).experimentCommand },
  results: { usage: RESULTS_USAGE, load: async () => (await import("./results")).resultsCommand },
  currency: { usage: CURRENCY_USAGE, load: async () => (await import("./currency")).currencyCommand },
  warehouse: { usage: WAREHOUSE_USAGE, load: async () => (await import("./warehouse")).warehouseCommand },
};

function help(): string {
  return (
    ["usage: npm run -s cli -- <command>", ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join("\n") + "\n"
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help") {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}`);
  await (
    await command.load()
  )(rest);
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
