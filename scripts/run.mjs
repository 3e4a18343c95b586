// `npm run cli` and `npm start` run the compiled JavaScript in dist/ (scripts/build-node.mjs). When dist/ is missing
// or older than any source it was built from (a fresh clone without install scripts, or a source edited since), it is
// rebuilt first (about 0.3 s), so a command never runs stale code.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isStale } from "./stale.mjs";

const ROOT = new URL("../", import.meta.url).pathname;
const entry = process.argv[2];
if (entry !== "cli" && entry !== "server" && entry !== "job") {
  process.stderr.write("usage: node scripts/run.mjs cli|server|job [args]\n");
  process.exit(2);
}
if (isStale()) await (await import("./build-node.mjs")).buildNode();
// the program sees itself as argv[1] and its own arguments only: the server's web workers (cluster.fork) run argv[1]
const script = join(ROOT, "dist", `${entry}.js`);
process.argv.splice(1, 2, script);
await import(pathToFileURL(script).href);
