import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import * as experiments from "~/routes/api.experiments";
import * as one from "~/routes/api.experiments.$id";
import * as start from "~/routes/api.experiments.$id.start";
import * as stop from "~/routes/api.experiments.$id.stop";
import * as decide from "~/routes/api.experiments.$id.decide";
import * as clone from "~/routes/api.experiments.$id.clone";
import * as archive from "~/routes/api.experiments.$id.archive";
import * as restore from "~/routes/api.experiments.$id.restore";
import * as results from "~/routes/api.experiments.$id.results";
import * as contact from "~/routes/experiments.$id.contact[.]csv";
import * as holdout from "~/routes/experiments.$id.holdout[.]csv";
import * as reportCsv from "~/routes/experiments.$id.report[.]csv";
import { assignmentRows } from "~/experiments/store.server";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { importForTest, tempDb } from "../support/db";
import { hashTables } from "../support/hash";

// The experiment REST routes and CLI of issues 13 and 16 on one demo shop: every lifecycle step on good input, and on
// bad input a 400 naming the field (or exit 2 with one line on stderr) with every table unchanged.

const BASE = "http://campaign.lab";
type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown> | unknown;

async function call(
  handler: unknown,
  path: string,
  method = "GET",
  json?: unknown,
  params: Record<string, string> = {},
): Promise<Response> {
  const request = new Request(BASE + path, {
    method,
    ...(json === undefined ? {} : { body: JSON.stringify(json), headers: { "Content-Type": "application/json" } }),
  });
  try {
    const out = await (handler as Handler)({ request, params, context: {} });
    return out as Response;
  } catch (err) {
    if (err instanceof Response) return err;
    throw err;
  }
}
const answer = async (r: Response) => [r.status, JSON.parse(await r.text())] as const;

// issue 13's minimal design file: fields left out take the form's defaults
const MINIMAL = {
  name: "A/A on At Risk",
  campaignType: "custom",
  hypothesis: "",
  audience: { kind: "segment", segment: "At Risk" },
  arms: [
    { name: "Control", share: 0.5 },
    { name: "Treatment", share: 0.5 },
  ],
  primaryMetric: "conversion",
  windowDays: 30,
  guardrails: [],
  stats: { alpha: 0.05, power: 0.8, sides: 2, mde: 0.1, relative: true, method: "pooled" },
  baselines: {},
};
const CHAMPIONS = { name: "Champions early access", audience: { kind: "segment", segment: "Champions" } };

let t: ReturnType<typeof tempDb>;
beforeAll(async () => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
  const file = join(t.dir, "demo.csv");
  await writeDemoCsv(file, { lines: 80_000, seed: 9 });
  await importForTest(t.db, file);
});
afterAll(() => t.cleanup());

/** Runs a refused request and checks that it changed no table. */
async function refused(run: () => Promise<Response>, status: number, message: RegExp) {
  const before = hashTables(t.db);
  const [code, body] = await answer(await run());
  expect([code, body.error]).toEqual([status, expect.stringMatching(message)]);
  expect(hashTables(t.db)).toEqual(before);
}

describe("REST: /api/experiments/:id/…", () => {
  it("walks a test through create, start, rehearsal, real results, stop, decide, clone, archive, restore and delete", async () => {
    const [created, minimal] = await answer(await call(experiments.action, "/api/experiments", "POST", MINIMAL));
    expect([created, minimal.status, minimal.design.guardrails, minimal.design.stats.power]).toEqual([
      201,
      "draft",
      [],
      0.8,
    ]);
    await refused(
      () => call(experiments.action, "/api/experiments", "POST", { ...CHAMPIONS, name: "" }),
      400,
      /^name: Give the experiment a name/,
    );
    await refused(
      () => call(experiments.action, "/api/experiments", "POST", { ...CHAMPIONS, stats: { mde: -1 } }),
      400,
      /^stats\.mde: The MDE must be above 0/,
    );
    const put = await call(experiments.action, "/api/experiments", "PUT", CHAMPIONS);
    expect([put.status, put.headers.get("Allow")]).toEqual([405, "GET, POST"]);

    const [, draft] = await answer(await call(experiments.action, "/api/experiments", "POST", CHAMPIONS));
    const id = String(draft.id);
    const p = { id };
    const wrong = await call(start.loader, `/api/experiments/${id}/start`, "GET", undefined, p);
    expect([wrong.status, wrong.headers.get("Allow")]).toEqual([405, "POST"]);
    await refused(
      () => call(start.action, `/api/experiments/${id}/start`, "POST", { startDate: "12/12/2011" }, p),
      400,
      /^startDate: use YYYY-MM-DD/,
    );
    await refused(
      () => call(start.action, `/api/experiments/${id}/start`, "POST", { startDate: "2011-01-01" }, p),
      400,
      /^start date: 2011-01-01 is before the data set's last day/,
    );
    const [startedCode, started] = await answer(
      await call(start.action, `/api/experiments/${id}/start`, "POST", {}, p),
    );
    expect(startedCode).toBe(200);
    expect(started).toMatchObject({
      status: "running",
      startDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      perArm: [{ arm: "Control" }, { arm: "Treatment" }],
    });
    expect(started.warnings).toEqual([
      expect.stringMatching(/^power \d+% at the planned MDE of 10%, below the planned 80%$/),
    ]);

    // the hand-off files: treatment arms with their arm (contact), control (holdout), with country, segment, persona, RFM
    const contactCsv = (
      await (await call(contact.loader, `/experiments/${id}/contact.csv`, "GET", undefined, p)).text()
    )
      .trim()
      .split("\r\n");
    const holdoutCsv = (
      await (await call(holdout.loader, `/experiments/${id}/holdout.csv`, "GET", undefined, p)).text()
    )
      .trim()
      .split("\r\n");
    expect(contactCsv[0]).toBe("customer_id,arm,country,segment,persona,recency,frequency,monetary (GBP)"); // money names the currency (issue 14)
    expect(holdoutCsv[0]).toBe("customer_id,country,segment,persona,recency,frequency,monetary (GBP)");
    expect([contactCsv.length - 1, holdoutCsv.length - 1]).toEqual([
      started.perArm[1].customers,
      started.perArm[0].customers,
    ]);
    expect(contactCsv.slice(1).every((l) => /^[^,]+,Treatment,[^,]*,Champions,/.test(l))).toBe(true);
    await refused(
      () => call(results.action, `/api/experiments/${id}/results`, "POST", { source: "bogus" }, p),
      400,
      /source must be "measured", "simulation", "aggregate" or "upload"/,
    );
    await refused(
      () =>
        call(
          results.action,
          `/api/experiments/${id}/results`,
          "POST",
          { source: "simulation", seed: 1, lift: { Nope: 0.1 } },
          p,
        ),
      400,
      /^lift: no treatment arm "Nope"/,
    );
    const [, rehearsal] = await answer(
      await call(
        results.action,
        `/api/experiments/${id}/results`,
        "POST",
        { source: "simulation", seed: 1, lift: { Treatment: 0.15 } },
        p,
      ),
    );
    expect(rehearsal).toMatchObject({ source: "simulation", rehearsal: true });
    const [, shown] = await answer(await call(one.loader, `/api/experiments/${id}`, "GET", undefined, p));
    expect(shown).toMatchObject({ status: "running", results: { source: "simulation", rehearsal: true } });
    // the report CSV's money items name the data set's currency (issue 14); conversion stays a share
    const report = (
      await (await call(reportCsv.loader, `/experiments/${id}/report.csv`, "GET", undefined, p)).text()
    ).split("\r\n");
    expect(report).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^arm,Control revenue per customer \(GBP\),/),
        expect.stringMatching(/^arm,Treatment aov \(GBP\),/),
        expect.stringMatching(/^lift,Treatment revenue absolute \(GBP\),/),
        expect.stringMatching(/^lift,Treatment conversion absolute,/),
      ]),
    );
    const n = started.perArm.map((a: { customers: number }) => a.customers);
    const [realCode, real] = await answer(
      await call(
        results.action,
        `/api/experiments/${id}/results`,
        "POST",
        {
          source: "aggregate",
          arms: n.map((users: number, i: number) => ({
            users,
            conversions: Math.floor(users / (4 + i)),
            revenueSum: 50 * users,
            revenueSquares: 9_000 * users,
            orders: users,
            refunded: 0,
          })),
        },
        p,
      ),
    );
    expect([realCode, real.rehearsal]).toEqual([200, false]);
    await refused(
      () =>
        call(
          results.action,
          `/api/experiments/${id}/results`,
          "POST",
          { source: "simulation", seed: 1, lift: { Treatment: 0.15 } },
          p,
        ),
      409,
      /this experiment has real results; rehearse on a clone/,
    );

    const [, stopped] = await answer(
      await call(stop.action, `/api/experiments/${id}/stop`, "POST", { reason: "budget cut" }, p),
    );
    expect(stopped).toMatchObject({ status: "completed", stopReason: "budget cut" });
    await refused(
      () => call(decide.action, `/api/experiments/${id}/decide`, "POST", { decision: "maybe" }, p),
      400,
      /^decision: /,
    );
    const [, decided] = await answer(
      await call(
        decide.action,
        `/api/experiments/${id}/decide`,
        "POST",
        { decision: "inconclusive", note: "stopped for budget" },
        p,
      ),
    );
    expect(decided).toMatchObject({ decision: "inconclusive", decisionNote: "stopped for budget" });
    const [cloneCode, copy] = await answer(
      await call(clone.action, `/api/experiments/${id}/clone`, "POST", undefined, p),
    );
    expect([cloneCode, copy.status, copy.name]).toEqual([201, "draft", "Champions early access (copy)"]);
    expect(
      (await answer(await call(archive.action, `/api/experiments/${id}/archive`, "POST", undefined, p)))[1].archived,
    ).toBe(true);
    await refused(
      () => call(archive.action, `/api/experiments/${id}/archive`, "POST", undefined, p),
      409,
      /already archived/,
    );
    expect(
      (await answer(await call(restore.action, `/api/experiments/${id}/restore`, "POST", undefined, p)))[1].archived,
    ).toBe(false);
    await refused(
      () => call(one.action, `/api/experiments/${id}`, "DELETE", undefined, p),
      400,
      /^name: type the experiment's name "Champions early access"/,
    );
    const patch = await call(one.action, `/api/experiments/${id}`, "PATCH", {}, p);
    expect([patch.status, patch.headers.get("Allow")]).toEqual([405, "GET, DELETE"]);
    expect(
      await answer(
        await call(one.action, `/api/experiments/${id}`, "DELETE", { confirmName: "Champions early access" }, p),
      ),
    ).toEqual([200, { deleted: Number(id) }]);
    expect((await call(one.loader, `/api/experiments/${id}`, "GET", undefined, p)).status).toBe(404);
  });
});

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
