import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs the compiled CLI as a user would (`npm run -s cli` runs dist/cli.js), capturing stdout, stderr and the exit code. */
export function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["dist/cli.js", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
