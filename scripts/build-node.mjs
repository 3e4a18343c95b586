// Compiles the CLI, the server's start script and the worker threads to plain JavaScript in dist/ (esbuild), so that no
// production path compiles TypeScript on the fly (docs/decisions/0010-compiled-build.md). Run by `npm install`
// (postinstall), `npm run build`, and by scripts/run.mjs when dist/ is missing or older than a source file.
import { build } from "esbuild";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const ENTRIES = {
  cli: "cli/main.ts",
  server: "server/start.ts",
  "sweep-worker": "app/segments/sweep.worker.ts",
  "clv-worker": "app/planning/clv.worker.ts",
};

/** node_modules load as they are (better-sqlite3 is native); only the project's own files ("~/" is app/) are bundled. */
const packagesExternal = {
  name: "packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./~]/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Builds every entry into a fresh temporary folder, then swaps it in: concurrent runs never see half a build. */
export async function buildNode() {
  const tmp = join(ROOT, `dist.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await build({
      absWorkingDir: ROOT,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
      outdir: tmp,
      splitting: true, // a command's code loads when it runs (cli/main.ts imports it dynamically)
      chunkNames: "chunks/[name]-[hash]",
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      plugins: [packagesExternal],
      sourcemap: "linked",
      logLevel: "error",
      tsconfig: join(ROOT, "tsconfig.json"),
    });
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }) + "\n");
    writeFileSync(join(tmp, "BUILT"), new Date().toISOString() + "\n");
    const dist = join(ROOT, "dist");
    const old = `${dist}.old-${process.pid}-${Date.now()}`;
    try {
      renameSync(dist, old);
    } catch {
      /* no previous build */
    }
    try {
      renameSync(tmp, dist);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process swapped its build in first: same sources
    }
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildNode();
