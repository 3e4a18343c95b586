// Whether dist/ is missing or older than any source it is built from.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;
const SOURCES = ["app", "cli", "server", "seed", "package.json", "tsconfig.json", "scripts/build-node.mjs"];

function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let latest = st.mtimeMs; // a deleted or renamed file changes its folder's time
  for (const name of readdirSync(path)) if (!name.startsWith(".")) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

export function isStale() {
  let built;
  try {
    built = statSync(join(ROOT, "dist", "BUILT")).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newest(join(ROOT, s)) > built);
}
