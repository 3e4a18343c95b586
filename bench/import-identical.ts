import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Checks that a change to the import leaves its results byte for byte as they were: imports one file with an older
// build's CLI and with this one's (dist/), each into a fresh database, and compares every table (but the times an
// import records) and the column file. `node --import tsx bench/import-identical.ts OLD_DIST [FILE]`, where OLD_DIST
// is the dist/ folder of a build of the older commit; FILE defaults to the real Online Retail file.
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const [oldDist, file = join(ROOT, "..", "shared", "data", "online_retail.csv.gz")] = process.argv.slice(2);
if (!oldDist) throw new Error("usage: bench/import-identical.ts OLD_DIST [FILE]");

/** Columns that hold when or how fast an import ran: they differ between any two runs. */
const VOLATILE = new Set(["imported_at", "computed_at", "seconds"]);

/** The report without its timings (wall and CPU seconds). */
const steadyReport = (text: string) => {
  const { seconds: _seconds, cpuSeconds: _cpu, importedAt: _at, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(rest);
};

/** A column file's digest without its header's version (it names the time of the import). */
function columnFileDigest(dir: string, name: string): string {
  const bytes = readFileSync(join(dir, "columns", name));
  const length = bytes.readUInt32LE(8);
  const { version: _version, ...header } = JSON.parse(bytes.subarray(12, 12 + length).toString("utf8")) as object & {
    version: string;
  };
  return createHash("sha256")
    .update(bytes.subarray(0, 8))
    .update(JSON.stringify(header))
    .update(bytes.subarray(12 + length))
    .digest("hex")
    .slice(0, 16);
}

function digests(dir: string): Record<string, string> {
  const db = new Database(join(dir, "data.db"), { readonly: true });
  const out: Record<string, string> = {};
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const table of tables) {
    const hash = createHash("sha256");
    for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate() as Iterable<
      Record<string, unknown>
    >) {
      for (const [column, value] of Object.entries(row)) {
        if (VOLATILE.has(column)) continue;
        hash.update(`${column}=${column === "report" ? steadyReport(String(value)) : String(value)}\u001f`);
      }
      hash.update("\n");
    }
    out[table] = hash.digest("hex").slice(0, 16);
  }
  db.close();
  for (const name of readdirSync(join(dir, "columns")).sort()) out[`columns/${name}`] = columnFileDigest(dir, name);
  return out;
}

function importWith(dist: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "campaign-lab-identical-"));
  try {
    const r = spawnSync(
      process.execPath,
      [join(dist, "cli.js"), "import", file, "--db", join(dir, "data.db"), "--json"],
      {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    if (r.status !== 0) throw new Error(`${dist} import failed: ${r.stderr.slice(-2000)}`);
    return digests(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const before = importWith(resolve(oldDist));
const after = importWith(join(ROOT, "dist"));
const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
let differ = 0;
for (const name of names) {
  const same = before[name] === after[name];
  if (!same) differ++;
  console.log(`${same ? "same   " : "DIFFERS"} ${name.padEnd(24)} ${before[name] ?? "-"} ${after[name] ?? "-"}`);
}
console.log(differ ? `${differ} of ${names.length} differ` : `all ${names.length} identical`);
process.exitCode = differ ? 1 : 0;
