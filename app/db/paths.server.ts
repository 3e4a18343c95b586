import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: the nearest folder above this module whose package.json is Campaign Lab's (works from app/ and build/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "campaign-lab") return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** DATABASE_PATH, else data/campaign-lab.db under the project root. */
export function databasePath(explicit?: string): string {
  return resolve(explicit ?? process.env.DATABASE_PATH ?? join(projectRoot(), "data", "campaign-lab.db"));
}
