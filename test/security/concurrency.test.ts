import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { openDb } from "~/db/db.server";
import { importFile } from "~/ingest/import.server";
import { getJob, startImport, type ImportJob } from "~/ingest/jobs.server";
import { saveUpload } from "~/ingest/uploads.server";
import { ROOT } from "../support/cli";

// #12 item 6. Three simultaneous replace-imports gave the raw "UNIQUE constraint failed: datasets.name", and a second
// import failed with "database is locked". Imports from the web now queue one at a time (across web workers, with the
// position shown), and the clash checks are made again under the write lock: a replace replaces whatever is there.

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
function shop(path: string, seed: number, lines = 3000): void {
  const body = Array.from(
    { length: lines },
    (_, i) =>
      `${580000 + seed * 10000 + i},8512${i % 9},ITEM,${1 + (i % 4)},${1 + (i % 12)}/${1 + (i % 27)}/2011 10:00,2.55,${17000 + (i % 300)},United Kingdom`,
  );
  writeFileSync(path, [HEADER, ...body].join("\n") + "\n");
}

const cliImport = (args: string[]) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["dist/cli.js", "import", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code, stderr }));
  });

describe("concurrent imports", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-concurrency-"));
    process.env.DATABASE_PATH = join(dir, "jobs.db");
    openDb(process.env.DATABASE_PATH).$client.close();
  });
  afterAll(() => {
    delete process.env.DATABASE_PATH;
    rmSync(dir, { recursive: true, force: true });
  });

  it("three simultaneous replace-imports of one name all succeed, leaving one data set; no raw constraint error", async () => {
    const db = join(dir, "replace.db");
    openDb(db).$client.close();
    const files = [0, 1, 2].map((i) => join(dir, `replace-${i}.csv`));
    files.forEach((f, i) => shop(f, i));
    const runs = await Promise.all(
      files.map((f) => cliImport([f, "--db", db, "--workspace", "shared name", "--replace"])),
    );
    for (const r of runs) expect(r.stderr).not.toMatch(/UNIQUE constraint/);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]); // each replaces what the one before left
    const check = openDb(db);
    expect(check.$client.prepare("SELECT count(*) FROM datasets WHERE name = 'shared name'").pluck().get()).toBe(1);
    check.$client.close();
  }, 120_000);

  it("two simultaneous imports of one name without replace: one lands, the other says another import took the name", async () => {
    const db = join(dir, "clash.db");
    openDb(db).$client.close();
    const files = [3, 4].map((i) => join(dir, `clash-${i}.csv`));
    files.forEach((f, i) => shop(f, 3 + i));
    const runs = await Promise.all(files.map((f) => cliImport([f, "--db", db, "--workspace", "same"])));
    expect(runs.filter((r) => r.code === 0)).toHaveLength(1);
    const refused = runs.find((r) => r.code !== 0)!;
    expect(refused.stderr).toMatch(/already exists|was imported by another import while this one was reading/);
    expect(refused.stderr).not.toMatch(/UNIQUE constraint|database is locked/);
  }, 120_000);

  it("stages the lines beside the database: another connection writes at once while the file is read; a fault changes nothing", async () => {
    const path = join(dir, "staged.db");
    const db = openDb(path);
    const file = join(dir, "staged.csv");
    shop(file, 20, 150_000);
    const other = new Database(path, { timeout: 0 }); // no busy timeout: a held write lock would fail at once
    const writes: number[] = [];
    const report = await importFile(db, file, {
      name: "staged",
      onProgress: (p) => {
        if (p.stage !== "reading") return;
        other
          .prepare(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          )
          .run("probe", String(p.linesRead));
        writes.push(p.linesRead);
      },
    });
    expect(writes.length).toBeGreaterThan(0);
    expect(report.seconds.locked).toBeLessThan(report.seconds.total);
    expect(readdirSync(dir).filter((n) => n.includes(".scratch"))).toEqual([]);
    const counts = () =>
      db.$client
        .prepare(
          "SELECT (SELECT count(*) FROM lines) || ':' || (SELECT count(*) FROM orders) || ':' || (SELECT count(*) FROM datasets)",
        )
        .pluck()
        .get();
    const before = counts();
    await expect(importFile(db, file, { name: "faulty", replace: true, faultAfterLines: 50_000 })).rejects.toThrow(
      /Injected fault/,
    );
    expect(counts()).toBe(before);
    expect(readdirSync(dir).filter((n) => n.includes(".scratch"))).toEqual([]);
    other.close();
    db.$client.close();
  }, 120_000);

  it("imports from the web queue one at a time, with the position shown, and take their turn", async () => {
    const jobs: ImportJob[] = [];
    for (let i = 0; i < 3; i++) {
      const file = join(dir, `queued-${i}.csv`);
      shop(file, 10 + i, 5_000);
      const upload = await saveUpload(
        Readable.toWeb(createReadStream(file)) as WebReadableStream<Uint8Array>,
        `queued-${i}.csv`,
      );
      jobs.push(startImport({ upload, name: `queued ${i}` }));
    }
    expect(jobs.map((j) => j.queuePosition)).toEqual([0, 1, 2]);
    const seen = new Set<string>();
    for (let i = 0; i < 1200 && jobs.some((j) => getJob(j.id)!.status === "running"); i++) {
      const running = jobs.filter(
        (j) => getJob(j.id)!.status === "running" && getJob(j.id)!.queuePosition === 0 && getJob(j.id)!.progress,
      );
      expect(running.length).toBeLessThanOrEqual(1); // never two children at once
      seen.add(jobs.map((j) => getJob(j.id)!.queuePosition).join(","));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(jobs.map((j) => getJob(j.id)!.status)).toEqual(["done", "done", "done"]);
    const queue = join(dir, "import-queue");
    expect(existsSync(queue) ? readdirSync(queue).filter((n) => n.endsWith(".ticket")) : []).toEqual([]);
  }, 180_000);
});
