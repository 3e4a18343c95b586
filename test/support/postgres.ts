import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// A throw-away PostgreSQL cluster for the warehouse tests (issue 17): initdb and pg_ctl in a temporary directory,
// listening on a unix socket only (listen_addresses = ''), stopped by its pid. As root (CI) the server runs as the
// unprivileged user `nobody`, since PostgreSQL refuses to run as root. Where PostgreSQL is not installed the tests
// that need it are skipped with that message (.ci/run installs it: apt-get install postgresql).

export type TestCluster = {
  /** libpq URL of the cluster's `postgres` database over its socket, e.g. postgresql:///postgres?host=/tmp/x&user=postgres */
  url: string;
  socketDir: string;
  bin: string;
  /** Runs SQL through psql (for loading fixtures: \copy reads files as the test's own user). */
  psql: (sql: string) => string;
  stop: () => void;
};

/** The bin directory of the newest installed PostgreSQL (Debian's /usr/lib/postgresql/N/bin), or null. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, "initdb"))) return process.env.PG_BIN;
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], "bin") : null;
}

/** Why the warehouse tests cannot run here, or null when they can. */
export const postgresMissing = (): string | null =>
  postgresBin()
    ? null
    : "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the warehouse tests are skipped; apt-get install postgresql";

export function startCluster(): TestCluster {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresMissing()!);
  const dir = mkdtempSync(path.join(tmpdir(), "cl-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    uid = Number(execFileSync("id", ["-u", "nobody"]).toString().trim());
    gid = Number(execFileSync("id", ["-g", "nobody"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o755);
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? "runuser" : path.join(bin, tool);
    const argv = asRoot ? ["-u", "nobody", "--", path.join(bin, tool), ...args] : args;
    const r = spawnSync(cmd, argv, { cwd: dir, encoding: "utf8", env: { ...process.env, LC_ALL: "C", TZ: "UTC" } });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const options = `-c listen_addresses='' -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"]);
  const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  const url = `postgresql:///postgres?host=${dir}&user=postgres`;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, "SIGQUIT"); // immediate shutdown: the cluster is thrown away
    } catch {
      // already gone
    }
    for (let i = 0; i < 100 && existsSync(path.join(data, "postmaster.pid")); i++) spawnSync("sleep", ["0.05"]);
    rmSync(dir, { recursive: true, force: true });
  };
  const psql = (sql: string) => {
    const r = spawnSync(
      path.join(bin, "psql"),
      ["-h", dir, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-A", "-t"],
      { input: sql, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout;
  };
  return { url, socketDir: dir, bin, psql, stop };
}
