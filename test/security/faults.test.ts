import { spawnSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { startImport } from "~/ingest/jobs.server";
import { ROOT } from "../support/cli";
import { fixture } from "../support/db";
import { finishedJob, uploadFile } from "../support/jobs";

// #12 item 7. An import killed after its commit, during segments, left the job "failed (exit code null)" over a
// committed data set; uploads stayed on disk; a corrupt database stopped the start with a raw stack trace or served 500s.

describe("faults", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-faults-"));
    process.env.DATABASE_PATH = join(dir, "jobs.db");
    openDb(process.env.DATABASE_PATH).$client.close();
  });
  afterAll(() => {
    delete process.env.DATABASE_PATH;
    delete process.env.CAMPAIGN_LAB_FAULT;
    rmSync(dir, { recursive: true, force: true });
  });

  it("a kill while segments are derived (before the commit: they land with the import) changes nothing; the upload is removed", async () => {
    const file = await uploadFile(fixture("online-retail-rules.csv"), "-dashed name.csv"); // a name starting with "-" too
    process.env.CAMPAIGN_LAB_FAULT = "kill-during-segments";
    const job = await finishedJob(startImport({ upload: file, name: "-killed" }).id);
    delete process.env.CAMPAIGN_LAB_FAULT;
    expect(job.status).toBe("failed");
    expect(job.error).toBe("The import process was stopped (SIGKILL) before committing: nothing was changed.");
    const db = openDb(process.env.DATABASE_PATH);
    expect(db.$client.prepare("SELECT name FROM datasets").pluck().all()).toEqual([]);
    db.$client.close();
    expect(existsSync(file.path)).toBe(false);
  });

  it("a failed import removes its upload", async () => {
    const file = await uploadFile(fixture("binary.csv"), "binary.csv");
    const job = await finishedJob(startImport({ upload: file }).id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/binary/);
    expect(existsSync(file.path)).toBe(false);
  });

  it("refuses to start on a file that is not SQLite, or has damaged pages, with one line naming it", () => {
    const start = (path: string) =>
      spawnSync(process.execPath, ["dist/server.js"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_PATH: path, PORT: "1", DEMO_DATA: "off" },
        encoding: "utf8",
        timeout: 60_000,
      });
    const notDb = join(dir, "not-a-db.db");
    writeFileSync(notDb, "this is not a database, just text that is long enough to have a header ".repeat(20));
    let run = start(notDb);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      `The database file ${notDb} is not a SQLite database. Move it aside or restore a backup, then start again (with no file, an empty database is created).`,
    );

    const damaged = join(dir, "damaged.db");
    const db = openDb(damaged);
    db.$client.exec(
      "CREATE TABLE filler(x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO filler SELECT printf('%0200d', i) FROM n;",
    );
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    db.$client.pragma("journal_mode = DELETE");
    db.$client.close();
    const fd = openSync(damaged, "r+");
    for (const page of [40, 60, 80]) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, page * 4096);
    closeSync(fd);
    run = start(damaged);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(`^The database file ${damaged.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged`),
    );
  });
  it("refuses to start on a port in use with one line, before any work", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const run = spawnSync(process.execPath, ["dist/server.js"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_PATH: join(dir, "port-in-use.db"), PORT: String(port), DEMO_DATA: "off" },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(
        `Port ${port} on 127.0.0.1 is in use (another Campaign Lab or another program): stop it, or start with PORT=<another port>.`,
      );
    } finally {
      busy.close();
    }
  });
});
