import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { closeWarehouses } from "~/db/warehouse.server";
import { parseDesignInput } from "~/experiments/design-input";
import { experimentBaselines, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { recordSimulation } from "~/experiments/results.server";
import { exportAssignments, startWithWarehouseCopy } from "~/experiments/warehouse-assignments.server";
import { assignmentRows, getExperiment, storedResults } from "~/experiments/store.server";
import { parseMapArgs } from "~/ingest/formats";
import { bestMonths, planCandidates } from "~/planning/plan.server";
import { DEFAULT_CAPS } from "~/planning/clv-fit";
import { recommendations } from "~/planning/recommendations.server";
import { valueByGroup, valueModel } from "~/planning/value.server";
import { connectAndDerive } from "~/derive/warehouse.server";
import { audienceMembers, audienceSize } from "~/segments/audiences.server";
import { segmentsReport } from "~/segments/report.server";
import { customerCountries, customerTotals, memberRows } from "~/segments/store.server";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { importForTest, tempDb } from "../support/db";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { loadShop, SHOP_MAP } from "../support/warehouse-shop";

// A warehouse data set works like an imported one (issue 17): the same generated shop imported from its CSV and
// connected as a PostgreSQL table gives the same segments, personas, back-test baselines, start (audience as of S,
// hash assignment) and rehearsal. The figures of the warehouse one come from SQL builders (only one row per customer
// or per arm comes back); the app's own state is written to SQLite.

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)("a warehouse data set through segments and an experiment", () => {
  let pg: TestCluster;
  const csv = { db: null as unknown as Db, id: 0, path: "", cleanup: () => {} };
  const wh = { db: null as unknown as Db, id: 0, path: "", cleanup: () => {} };
  beforeAll(async () => {
    pg = startCluster();
    const a = tempDb();
    const file = path.join(a.dir, "shop.csv");
    // 30,000 generated lines: 240 customers, enough for a persona audience of 30+ per arm
    await writeDemoCsv(file, { lines: 30_000, seed: 42 });
    loadShop(pg, "shop.lines", file, "WIN1252");
    // every statement from here on is logged with its client's name, for the last test (what Campaign Lab sends)
    pg.psql(
      "ALTER SYSTEM SET log_statement = 'all'; ALTER SYSTEM SET log_line_prefix = '%a|'; SELECT pg_reload_conf();",
    );
    csv.db = a.db;
    csv.path = a.path;
    csv.cleanup = a.cleanup;
    csv.id = await importForTest(a.db, file);
    const b = tempDb();
    wh.db = b.db;
    wh.path = b.path;
    wh.cleanup = b.cleanup;
    const { id } = await connectAndDerive(b.db, {
      url: pg.url,
      table: "shop.lines",
      map: parseMapArgs(SHOP_MAP),
      currency: "GBP", // as the import detects for this layout
    });
    wh.id = id;
  }, 120_000);
  afterAll(async () => {
    csv.cleanup();
    wh.cleanup();
    await closeWarehouses();
    pg?.stop();
  });

  it("becomes the active data set, with the segments and personas of the imported file", () => {
    expect(activeDatasetId(wh.db)).toBe(wh.id);
    const w = segmentsReport(wh.db, wh.id);
    const c = segmentsReport(csv.db, csv.id);
    expect(w.customers).toBe(240);
    expect(w.segments).toEqual(c.segments);
    expect(w.scores).toEqual(c.scores);
    expect(w.personas.clusters).toEqual(c.personas.clusters);
    // an audience's size and members (the editor's "Audience now", members.csv) come from the same customer_rfm rows
    for (const definition of [
      { kind: "segment" as const, segment: "Champions" as const },
      { kind: "persona" as const, k: 2, cluster: 0 },
    ]) {
      expect(audienceSize(wh.db, wh.id, definition).customers).toBeGreaterThan(0);
      expect(audienceSize(wh.db, wh.id, definition)).toEqual(audienceSize(csv.db, csv.id, definition));
      expect(audienceMembers(wh.db, wh.id, definition)).toEqual(audienceMembers(csv.db, csv.id, definition));
    }
  });

  it("keeps its customers as the import does: audiences by country, the members table's country, the customer's totals", () => {
    const countries = customerCountries(wh.db, wh.id);
    expect(countries.length).toBeGreaterThan(1);
    expect(countries).toEqual(customerCountries(csv.db, csv.id));
    const byCountry = { kind: "filter" as const, countries: [countries[1]] };
    expect(audienceSize(wh.db, wh.id, byCountry).customers).toBeGreaterThan(0);
    expect(audienceSize(wh.db, wh.id, byCountry)).toEqual(audienceSize(csv.db, csv.id, byCountry));
    expect(audienceMembers(wh.db, wh.id, byCountry)).toEqual(audienceMembers(csv.db, csv.id, byCountry));
    const members = memberRows(wh.db, wh.id, []);
    expect(members.every((m) => m.country !== null)).toBe(true);
    expect(members).toEqual(memberRows(csv.db, csv.id, []));
    const someone = members[0].customerId;
    expect(customerTotals(wh.db, wh.id, someone)).toEqual(customerTotals(csv.db, csv.id, someone));
  });

  it("writes the imported file's recommendations (segments, second purchases and months from PostgreSQL)", () => {
    const w = recommendations(wh.db, wh.id);
    expect(w.map((r) => r.key)).toEqual(
      expect.arrayContaining(["high-value", "reactivate", "lifecycle", "peak-months"]),
    );
    expect(w).toEqual(recommendations(csv.db, csv.id));
  });

  it("plans from the same months and candidates (the Plan page)", () => {
    expect(bestMonths(wh.db, wh.id)).toEqual(bestMonths(csv.db, csv.id));
    expect(planCandidates(wh.db, wh.id).testFirst).toEqual(planCandidates(csv.db, csv.id).testFirst);
  });

  it("gives the customer value of the imported file (the /value page, `cli clv` and /api/clv share the model)", async () => {
    // no time cap, so that both fits stop at the same step on a loaded machine
    const caps = { maxEvaluations: DEFAULT_CAPS.maxEvaluations, maxMillis: Infinity };
    const [c, w] = await Promise.all([
      valueModel(csv.db, csv.id, undefined, caps),
      valueModel(wh.db, wh.id, undefined, caps),
    ]);
    // the default calibration end comes from the same date range; the summaries are equal to the bit
    // (warehouse-equality.test.ts), so the fits agree to the last digits: 1e-9 relative is the stated tolerance
    expect([w.calibrationEnd, w.dataEnd, w.customers]).toEqual([c.calibrationEnd, c.dataEnd, c.customers]);
    expect(w.customers).toBeGreaterThan(100);
    const close = (a: number, b: number) =>
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    for (const k of ["r", "alpha", "a", "b"] as const) close(w.bgnbd![k], c.bgnbd![k]);
    for (const k of ["p", "q", "v"] as const) close(w.gammaGamma![k], c.gammaGamma![k]);
    expect(w.fits.used).toBe(c.fits.used);
    const labels = (m: typeof c) => m.rows.map((r) => [r.customerId, r.segment, r.persona, r.x, r.orders, r.revenue]);
    expect(labels(w)).toEqual(labels(c));
    expect(w.holdout.map((h) => [h.x, h.customers, h.actual])).toEqual(
      c.holdout.map((h) => [h.x, h.customers, h.actual]),
    );
    // the per-segment table of the page
    const groups = (m: typeof c) => valueByGroup(m, "segment").map((g) => [g.group, g.customers, g.revenue]);
    expect(groups(w)).toEqual(groups(c));
  }, 120_000);

  it("back-tests, starts and rehearses an experiment exactly as on the imported file", () => {
    const design = parseDesignInput({
      name: "Occasionals push",
      campaignType: "personalised push",
      audience: { kind: "persona", k: 2, cluster: 0 },
      arms: [
        { name: "Control", share: 0.5 },
        { name: "Treatment", share: 0.5 },
      ],
      primaryMetric: "conversion",
      windowDays: 30,
    });
    if (!design.success) throw design.error;
    const ids = [csv, wh].map((d) => saveExperiment(d.db, d.id, design.data));
    const baselines = [csv, wh].map((d) => experimentBaselines(d.db, d.id, design.data));
    expect(baselines[1].members).toBeGreaterThan(60);
    expect(baselines[1].baselines).toEqual(baselines[0].baselines);
    const started = [csv, wh].map((d, i) => startExperiment(d.db, ids[i]));
    expect(started[1]).toEqual(started[0]);
    expect(assignmentRows(wh.db, ids[1])).toEqual(assignmentRows(csv.db, ids[0]));
    expect(getExperiment(wh.db, ids[1])!.design.referenceDate).toBe("2011-11-09");
    for (const [i, d] of [csv, wh].entries())
      recordSimulation(d.db, ids[i], { seed: 7, conversionLift: [0.2], revenueLift: [0] });
    expect(storedResults(wh.db, ids[1])!.arms).toEqual(storedResults(csv.db, ids[0])!.arms);
  });

  it("answers the CLI on the same --db as the imported file: clv, experiment create and start, results, analyze", () => {
    const design = path.join(path.dirname(wh.path), "design.json");
    const audience = { kind: "persona", k: 2, cluster: 0 }; // over 60 members, as above
    writeFileSync(design, JSON.stringify({ name: "Occasionals push", campaignType: "personalised push", audience }));
    // each command succeeds on both, with the same warnings (a small audience's power) on stderr
    const run = (args: string[]) => {
      const [a, b] = [csv, wh].map((d) => cli([...args, "--db", d.path, "--json"]));
      expect([args, a.code, b.code, b.stderr]).toEqual([args, 0, 0, a.stderr]);
      return [a, b].map((r) => JSON.parse(r.stdout));
    };
    const [clvCsv, clvWh] = run(["clv"]);
    expect(clvWh).toEqual(clvCsv);
    const [created] = run(["experiment", "create", "--input", design]);
    const id = String(created.id);
    const started = run(["experiment", "start", id]);
    expect(started[1].assignment).toEqual(started[0].assignment);
    const simulated = run(["results", "simulate", id, "--seed", "3", "--lift", "Treatment=0.2"]);
    expect(simulated[1].arms).toEqual(simulated[0].arms);
    const [analysedCsv, analysedWh] = run(["analyze", "--experiment", id]);
    expect({ ...analysedWh, recordedAt: "(when)" }).toEqual({ ...analysedCsv, recordedAt: "(when)" });
  });

  it("copies a started experiment's assignment into the schema the user named, the only write to the warehouse", async () => {
    const lines = pg.psql("SELECT count(*) FROM shop.lines").trim();
    const { id } = await connectAndDerive(wh.db, {
      url: pg.url,
      table: "shop.lines",
      map: parseMapArgs(SHOP_MAP),
      name: "Shop, assignments in lab",
      assignmentsSchema: "lab",
    });
    const design = parseDesignInput({
      name: "Lab copy",
      campaignType: "custom",
      audience: { kind: "persona", k: 2, cluster: 0 },
      arms: [
        { name: "Control", share: 0.5 },
        { name: "Treatment", share: 0.5 },
      ],
    });
    if (!design.success) throw design.error;
    const experiment = saveExperiment(wh.db, id, design.data);
    // the start of the page, the CLI and the API: the copy is written with it
    expect((await startWithWarehouseCopy(wh.db, experiment)).copyError).toBeNull();
    expect(pg.psql("SELECT count(*) FROM lab.campaign_lab_assignments").trim()).toBe(
      String(assignmentRows(wh.db, experiment).length),
    );
    // writing it again replaces the experiment's copy rather than adding to it
    expect(await exportAssignments(wh.db, experiment)).toEqual({
      table: "lab.campaign_lab_assignments",
      rows: assignmentRows(wh.db, experiment).length,
    });
    const copied = pg
      .psql(`SELECT customer_id || ',' || arm || ',' || arm_name FROM lab.campaign_lab_assignments ORDER BY 1`)
      .trim()
      .split("\n");
    const names = ["Control", "Treatment"];
    expect(copied).toEqual(
      assignmentRows(wh.db, experiment)
        .map((a) => `${a.customerId},${a.arm},${names[a.arm]}`)
        .sort(),
    );
    // the data set without a schema writes nothing; the user's table is as it was
    expect(await exportAssignments(wh.db, 1)).toBeNull();
    expect(pg.psql("SELECT count(*) FROM shop.lines").trim()).toBe(lines);
  });

  it("sends only reads to the user's tables: every statement of the whole file above, as PostgreSQL logged it", () => {
    // the server's own log (log_statement = all), not the app's word: each statement of application "campaign-lab"
    const statements: string[] = [];
    for (const line of readFileSync(path.join(pg.socketDir, "server.log"), "utf8").split("\n")) {
      const m = /^campaign-lab\|LOG: {2}(?:statement|execute [^:]*): (.*)$/.exec(line);
      if (m) statements.push(m[1]);
      else if (statements.length && !/^\S*\|/.test(line)) statements[statements.length - 1] += `\n${line}`;
    }
    const read = /^(SELECT|WITH|SHOW|BEGIN READ ONLY|SET LOCAL|COMMIT|ROLLBACK)\b/i;
    const writes = statements.filter((s) => !read.test(s.trim()));
    expect(statements.filter((s) => /\bFROM\s+"?shop"?\."?lines"?/i.test(s)).length).toBeGreaterThan(10);
    // a write inside a read's text (a data-modifying WITH) would be refused by READ ONLY, and is not sent either
    expect(
      statements.filter(
        (s) =>
          read.test(s.trim()) &&
          /\b(INSERT\s+INTO|DELETE\s+FROM|TRUNCATE|COPY|MERGE\s+INTO)\b|\bUPDATE\s+\S+\s+SET\b/i.test(s),
      ),
    ).toEqual([]);
    // the only writes: the assignment copy of the test above, in its own transaction, to the schema the user named
    expect(writes.length).toBeGreaterThan(0);
    // a plain BEGIN only opens such a copy: as many as the copies' CREATE SCHEMA, every other transaction READ ONLY
    const count = (re: RegExp) => writes.filter((w) => re.test(w.trim())).length;
    expect(count(/^BEGIN$/i)).toBe(count(/^CREATE SCHEMA/));
    for (const w of writes)
      expect(w.trim()).toMatch(
        /^(BEGIN|CREATE SCHEMA IF NOT EXISTS "?lab"?|(CREATE TABLE IF NOT EXISTS|DELETE FROM|INSERT INTO) "?lab"?\."?campaign_lab_assignments"?)\b/,
      );
  });
});
