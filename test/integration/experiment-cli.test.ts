import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignmentRows } from "~/experiments/store.server";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { importForTest, tempDb } from "../support/db";
import { CHAMPIONS, MINIMAL } from "../support/designs";
import { hashTables } from "../support/hash";

// The experiment CLI of issues 13 and 16 on one demo shop: every lifecycle step on good input, and on bad input exit 2
// with one line on stderr and every table unchanged (the REST routes' walk is in api-routes.test.ts).

let t: ReturnType<typeof tempDb>;
beforeAll(async () => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
  const file = join(t.dir, "demo.csv");
  await writeDemoCsv(file, { lines: 80_000, seed: 9 });
  await importForTest(t.db, file);
});
afterAll(() => t.cleanup());

describe("CLI: experiment and results", () => {
  const run = (...args: string[]) => cli([...args, "--db", t.path]);
  const refusedCli = (args: string[], message: RegExp) => {
    const before = hashTables(t.db);
    const r = run(...args);
    expect([r.code, r.stderr.trim().split("\n").length, r.stderr]).toEqual([2, 1, expect.stringMatching(message)]);
    expect(hashTables(t.db)).toEqual(before);
  };

  it("creates from the minimal file, starts with a warning on stderr, rehearses, uploads, stops, decides, clones, archives and deletes", () => {
    t.db.$client.pragma("wal_checkpoint(FULL)");
    const minimal = join(t.dir, "minimal.json");
    writeFileSync(minimal, JSON.stringify(MINIMAL));
    const created = JSON.parse(run("experiment", "create", "--input", minimal, "--json").stdout);
    expect(created).toMatchObject({ id: expect.any(Number), name: "A/A on At Risk", status: "draft" });
    const bad = join(t.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...MINIMAL, windowDays: 45 }));
    refusedCli(["experiment", "create", "--input", bad, "--json"], /^error: invalid design: windowDays: /);
    const champions = join(t.dir, "champions.json");
    writeFileSync(champions, JSON.stringify(CHAMPIONS));
    const id = String(JSON.parse(run("experiment", "create", "--input", champions, "--json").stdout).id);
    refusedCli(
      ["experiment", "start", id, "--start-date", "2011-01-01"],
      /^error: start date: 2011-01-01 is before the data set's last day/,
    );
    refusedCli(["experiment", "assignment", id], /is a draft/);
    const started = run("experiment", "start", id, "--json");
    expect(started.code).toBe(0);
    expect(started.stderr).toMatch(/^warning: power \d+% at the planned MDE of 10%, below the planned 80%\n$/);
    expect(JSON.parse(started.stdout)).toMatchObject({
      status: "running",
      warnings: [expect.stringMatching(/^power/)],
    });
    const csv = run("experiment", "assignment", id).stdout.trim().split(/\r?\n/);
    expect(csv[0]).toBe("customer_id,arm");
    expect(csv.length - 1).toBe(assignmentRows(t.db, Number(id)).length);

    refusedCli(["results", "simulate", id, "--seed", "3", "--lift", "Treatment=abc"], /--lift expects ARM=X/);
    const rehearsal = JSON.parse(
      run(
        "results",
        "simulate",
        id,
        "--seed",
        "3",
        "--lift",
        "Treatment=0.15",
        "--spend-lift",
        "Treatment=0.05",
        "--json",
      ).stdout,
    );
    expect(rehearsal).toMatchObject({ source: "simulation", rehearsal: true });
    const file = join(t.dir, "results.csv");
    writeFileSync(
      file,
      [
        "customer_id,arm,converted,revenue,orders,refunded",
        ...csv.slice(3).map((l, i) => `${l},${i % 4 === 0 ? 1 : 0},${i % 4 === 0 ? 30 : 0},${i % 4 === 0 ? 1 : 0},0`),
      ].join("\n"),
    );
    const uploaded = JSON.parse(run("results", "upload", id, file, "--absent", "exclude", "--json").stdout);
    expect(uploaded).toMatchObject({
      source: "upload",
      rehearsal: false,
      accounting: { assigned: csv.length - 1, absent: 2, absentTreatment: "excluded", refused: 0 },
    });
    refusedCli(
      ["results", "simulate", id, "--seed", "3", "--lift", "Treatment=0.15"],
      /this experiment has real results; rehearse on a clone/,
    );

    expect(JSON.parse(run("experiment", "stop", id, "--reason", "ran out of vouchers", "--json").stdout)).toMatchObject(
      { status: "completed", stopReason: "ran out of vouchers" },
    );
    refusedCli(
      ["experiment", "decide", id, "--decision", "perhaps"],
      /--decision must be ship\|dont-ship\|inconclusive/,
    );
    expect(
      JSON.parse(
        run("experiment", "decide", id, "--decision", "dont-ship", "--note", "the vouchers cost too much", "--json")
          .stdout,
      ),
    ).toMatchObject({ decision: "dont-ship" });
    const copy = JSON.parse(run("experiment", "clone", id, "--json").stdout);
    expect(copy).toMatchObject({ status: "draft", name: "Champions early access (copy)" });
    expect(JSON.parse(run("experiment", "archive", id, "--json").stdout).archived).toBe(true);
    expect(JSON.parse(run("experiment", "restore", id, "--json").stdout).archived).toBe(false);
    const shown = JSON.parse(run("experiment", "show", id, "--json").stdout);
    expect(shown.history.map((h: { action: string }) => h.action)).toEqual([
      "created",
      "started",
      "rehearsal recorded (simulated)",
      "results recorded (a per-customer file)",
      "stopped early",
      expect.stringMatching(/^decided: Don't ship/),
      "cloned",
      "archived",
      "restored",
    ]);
    expect(JSON.parse(run("experiment", "list", "--json").stdout).map((r: { id: number }) => r.id)).toContain(copy.id);
    refusedCli(["experiment", "delete", id], /has started: add --confirm "Champions early access"/);
    expect(JSON.parse(run("experiment", "delete", id, "--confirm", "Champions early access", "--json").stdout)).toEqual(
      { deleted: Number(id) },
    );
    refusedCli(["experiment", "show", id], /experiment \d+ does not exist in the active data set/);
  }, 180_000); // about 30 CLI processes in a row: 60 s was too short on a loaded 2-core machine
});
