import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The data set the page benches run on: the real Online Retail file beside the project when it is there, else as many
// generated lines, loaded through the built CLI as a user would.
export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const REAL = join(ROOT, "..", "shared", "data", "online_retail.csv.gz");
export const REAL_LABEL = existsSync(REAL) ? "Online Retail (real)" : "541,909 generated lines";

/** Imports the real file (or seeds 541,909 generated lines) into a new database at dbPath. */
export function loadRealOrGenerated(dbPath: string): void {
  const load = existsSync(REAL) ? ["import", REAL, "--db", dbPath] : ["seed", "--lines", "541909", "--db", dbPath];
  const r = spawnSync(process.execPath, ["dist/cli.js", ...load], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}
