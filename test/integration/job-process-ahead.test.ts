import { spawn, spawnSync } from "node:child_process";
import { getPriority } from "node:os";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { lowerPriority, startImport, startJobProcessAhead, waitingJobProcess } from "~/ingest/jobs.server";
import { processAlive } from "~/lib/process.server";
import { ROOT } from "../support/cli";
import { fixture } from "../support/db";
import { finishedJob, uploadFile } from "../support/jobs";

// Issue 15 target 2 (decision 0032): the next import's process is started ahead, while the file is chosen or uploaded;
// the import then runs in it exactly as in a process started for it.

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !processAlive(pid);
}

/** A report without what differs between two imports of the same file (when, how long, which name). */
const comparable = (report: object | null) => ({
  ...report,
  importedAt: "",
  seconds: null,
  cpuSeconds: null,
  dataset: "",
});

function storedReport(path: string) {
  const db = openDb(path);
  const row = db.$client.prepare("SELECT report FROM datasets").get() as { report: string };
  db.$client.close();
  return comparable(JSON.parse(row.report));
}

describe("the import's process started ahead", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-ahead-"));
  });
  afterAll(() => {
    delete process.env.DATABASE_PATH;
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the import that follows, once, with the same report as a process started for the import", async () => {
    process.env.DATABASE_PATH = join(dir, "ahead.db");
    startJobProcessAhead();
    const pid = waitingJobProcess()!;
    expect(processAlive(pid)).toBe(true);
    startJobProcessAhead(); // asked again while it waits: the same process
    expect(waitingJobProcess()).toBe(pid);
    const ahead = await finishedJob(
      startImport({ upload: await uploadFile(fixture("online-retail-rules.csv"), "a.csv"), name: "ahead" }).id,
    );
    expect(ahead.status).toBe("done");
    expect(waitingJobProcess()).toBeNull(); // taken by the import, which it ran to its end
    expect(processAlive(pid)).toBe(false);

    process.env.DATABASE_PATH = join(dir, "started-for-it.db");
    const cold = await finishedJob(
      startImport({ upload: await uploadFile(fixture("online-retail-rules.csv"), "a.csv"), name: "cold" }).id,
    );
    expect(cold.status).toBe("done");
    expect(storedReport(join(dir, "ahead.db"))).toEqual(storedReport(join(dir, "started-for-it.db")));
    expect(comparable(ahead.report)).toEqual(comparable(cold.report));
  });

  it("a file that cannot be imported fails there with its message; nothing is changed and the upload goes", async () => {
    process.env.DATABASE_PATH = join(dir, "bad.db");
    openDb(process.env.DATABASE_PATH).$client.close();
    startJobProcessAhead();
    const file = await uploadFile(fixture("binary.csv"), "binary.csv");
    const job = await finishedJob(startImport({ upload: file }).id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/binary/);
    const db = openDb(process.env.DATABASE_PATH);
    expect(db.$client.prepare("SELECT count(*) FROM datasets").pluck().get()).toBe(0);
    db.$client.close();
    expect(existsSync(file.path)).toBe(false);
  });

  it("one that died before its import is not used: the import starts its own process", async () => {
    process.env.DATABASE_PATH = join(dir, "died.db");
    startJobProcessAhead();
    const pid = waitingJobProcess()!;
    process.kill(pid, "SIGKILL");
    expect(await gone(pid)).toBe(true);
    const job = await finishedJob(
      startImport({ upload: await uploadFile(fixture("online-retail-rules.csv"), "a.csv"), name: "after" }).id,
    );
    expect(job.status).toBe("done");
  });

  it("goes unused after its idle time, and ends running nothing when its stdin closes", async () => {
    startJobProcessAhead({ idleMs: 300 });
    const pid = waitingJobProcess()!;
    expect(await gone(pid)).toBe(true);
    expect(waitingJobProcess()).toBeNull();

    // the server went away before any import: the process reads the end of its stdin and ends, saying nothing
    const r = spawnSync(process.execPath, ["dist/job.js"], { cwd: ROOT, input: "", encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe("");
  });

  it("a job that has committed yields the cores (its column file is not waited for); a process gone is left alone", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
    try {
      expect(getPriority(child.pid!)).toBe(getPriority());
      lowerPriority(child);
      expect(getPriority(child.pid!)).toBe(Math.max(10, getPriority()));
    } finally {
      child.kill();
    }
    expect(await gone(child.pid!)).toBe(true);
    expect(() => lowerPriority(child)).not.toThrow();
  });
});
