// `npm run cli` and `npm start` run the compiled JavaScript in dist/ (scripts/build-node.mjs). When dist/ is missing
// or older than any source it was built from (a fresh clone without install scripts, or a source edited since), it is
// rebuilt first (about 0.3 s), so a command never runs stale code.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isStale } from "./stale.mjs";

const ROOT = new URL("../", import.meta.url).pathname;
const entry = process.argv[2];
if (entry !== "cli" && entry !== "server") {
  process.stderr.write("usage: node scripts/run.mjs cli|server [args]\n");
  process.exit(2);
}
if (isStale()) await (await import("./build-node.mjs")).buildNode();
process.argv.splice(2, 1); // the program sees its own arguments only
await import(pathToFileURL(join(ROOT, "dist", `${entry}.js`)).href);
