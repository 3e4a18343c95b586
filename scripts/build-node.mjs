// Compiles the CLI, the server's start script and the worker threads to plain JavaScript in dist/ (esbuild), so that no
// production path compiles TypeScript on the fly (docs/decisions/0010-compiled-build.md). Run by `npm install`
// (postinstall), `npm run build`, and by scripts/run.mjs when dist/ is missing or older than a source file.
import { build } from "esbuild";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const ENTRIES = {
  server: "server/start.ts",
  "sweep-worker": "app/segments/sweep.worker.ts",
  "clv-worker": "app/planning/clv.worker.ts",
};

/**
 * The CLI's own build inlines these pure-JavaScript packages: loaded from node_modules, their hundreds of small files
 * took about 0.2 s of CPU at every start of `cli import` (0.58 -> 0.38 s to the first file read). The server and the
 * workers keep them in node_modules: the server also loads the Remix build, which imports them from there, and one
 * copy of each is enough (decision 0030). The CLI runs in a process of its own (the web's import jobs spawn it).
 */
const CLI_INLINED = ["zod", "drizzle-orm", "jstat"];

/** node_modules load as they are (better-sqlite3 is native), but `inlined`; the project's own files ("~/" is app/) are bundled. */
const packagesExternal = (inlined = []) => ({
  name: "packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./~]/ }, (args) =>
      inlined.some((name) => args.path === name || args.path.startsWith(`${name}/`))
        ? undefined
        : { path: args.path, external: true },
    );
  },
});

/** Builds every entry into a fresh temporary folder, then swaps it in: concurrent runs never see half a build. */
export async function buildNode() {
  const tmp = join(ROOT, `dist.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const common = {
      absWorkingDir: ROOT,
      outdir: tmp,
      splitting: true,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "linked",
      logLevel: "error",
      tsconfig: join(ROOT, "tsconfig.json"),
    };
    const entries = (list) => Object.fromEntries(Object.entries(list).map(([name, file]) => [name, join(ROOT, file)]));
    // one after the other: two builds at once in esbuild 0.17's one service printed a crash trace twice under load
    await build({
      ...common,
      entryPoints: entries(ENTRIES),
      chunkNames: "chunks/[name]-[hash]",
      plugins: [packagesExternal()],
    });
    // a command's code loads when it runs (cli/main.ts imports it dynamically); job: the web's import process,
    // started ahead, runs the same CLI (docs/decisions/0032-job-process-ahead.md)
    await build({
      ...common,
      entryPoints: entries({ cli: "cli/main.ts", job: "cli/job.ts" }),
      chunkNames: "cli-chunks/[name]-[hash]",
      plugins: [packagesExternal(CLI_INLINED)],
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
