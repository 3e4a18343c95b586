import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { importAndDerive } from "~/derive/derive.server";
import { saveAudience } from "~/segments/audiences.server";
import * as results from "~/routes/api.experiments.$id.results";
import * as page from "~/routes/experiments.$id._index";
import { stopExperiment } from "~/experiments/lifecycle.server";
import { cli } from "../support/cli";
import { fixture, tempDb } from "../support/db";
import { hashTables } from "../support/hash";

// `results measure ID [--json]` and POST /api/experiments/:id/results {source: "measured"}: the specified shape, errors
// in one line (exit 2 / HTTP 400 naming the field) that change nothing.

const SHOP = fixture("measured-shop.csv");
let t: ReturnType<typeof tempDb>;
let id: number;

beforeAll(async () => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
  await importAndDerive(t.db, SHOP, { name: "shop", until: "2011-01-10" });
  const datasetId = t.db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
  const audience = saveAudience(t.db, datasetId, { name: "Everyone", definition: { kind: "filter" } });
  id = saveExperiment(t.db, datasetId, {
    ...DEFAULT_DESIGN,
    name: "Fixture test",
    audience: { kind: "audience", id: audience },
    windowDays: 7,
  });
  startExperiment(t.db, id, { minPerArm: 0 }); // an 8-customer fixture shop: below the floor of 30 on purpose (tests only)
});
afterAll(() => t.cleanup());

const post = (json: unknown, experiment = String(id)) =>
  results
    .action({
      request: new Request(`http://campaign.lab/api/experiments/${experiment}/results`, {
        method: "POST",
        body: JSON.stringify(json),
        headers: { "Content-Type": "application/json" },
      }),
      params: { id: experiment },
      context: {},
    })
    .catch((e: unknown) => e as Response);

describe("results measure and its JSON API", () => {
  it("refuses before any day after S is in the data: one line, exit 2, nothing changed", () => {
    const before = hashTables(t.db);
    const r = cli(["results", "measure", String(id), "--db", t.path, "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: Nothing to measure yet: the data ends on 2011-01-10/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    for (const args of [
      ["results", "measure"],
      ["results", "measure", "x"],
      ["results", "nope", "1"],
      ["results", "measure", "999"],
    ]) {
      const bad = cli([...args, "--db", t.path]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    }
    // an id that never existed, with --json too: still one plain line on stderr naming it, exit 2
    const missing = cli(["results", "measure", "999", "--db", t.path, "--json"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe("error: No experiment 999 in this data set\n");
    expect(hashTables(t.db)).toEqual(before);
  });

  it("prints the specified shape after an update, money to the cent, daysObserved capped at W", async () => {
    const up = cli(["import", SHOP, "--update", "shop", "--db", t.path, "--json"]);
    expect(JSON.parse(up.stdout).remeasured).toEqual([id]);
    const r = cli(["results", "measure", String(id), "--db", t.path, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).slice(0, 6)).toEqual([
      "startDate",
      "observedThrough",
      "daysObserved",
      "windowDays",
      "arms",
      "analysis",
    ]);
    expect(out).toMatchObject({
      startDate: "2011-01-10",
      observedThrough: "2011-01-17",
      daysObserved: 7,
      windowDays: 7,
    });
    for (const a of out.arms)
      expect(Object.keys(a)).toEqual([
        "name",
        "users",
        "conversions",
        "revenueSum",
        "orders",
        "refunded",
        "preSpendSum",
      ]);
    expect(out.arms.reduce((s: number, a: { revenueSum: number }) => s + a.revenueSum, 0)).toBeCloseTo(43.99, 9);
    const text = cli(["results", "measure", String(id), "--db", t.path]);
    expect(text.stdout).toMatch(/day 7 of 7 observed, through 2011-01-17 \(final\)/);

    const csv = await import("~/routes/experiments.$id.measured[.]csv");
    const res = (await csv.loader({
      request: new Request(`http://campaign.lab/experiments/${id}/measured.csv`),
      params: { id: String(id) },
      context: {},
    })) as Response;
    const csvLines = (await res.text()).trim().split(/\r?\n/);
    expect(csvLines[0]).toBe(
      "arm,users,conversions,revenue (GBP),orders,refunded (GBP),pre_spend (GBP),start_date,observed_through,days_observed,window_days",
    ); // Online Retail layout: GBP
    expect(csvLines).toHaveLength(3);
    const overTimeCsv = await import("~/routes/experiments.$id.over-time[.]csv");
    const daily = (await overTimeCsv.loader({
      request: new Request(`http://campaign.lab/experiments/${id}/over-time.csv`),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect((await daily.text()).split(/\r?\n/)[0]).toBe(
      "day,date,arm,users,conversions,revenue (GBP),lift,lift_low,lift_high,interval",
    ); // issue 14
    expect(csvLines[1]).toMatch(/^Control,\d+,\d+,\d+\.\d\d,\d+,\d+\.\d\d,\d+\.\d\d,2011-01-10,2011-01-17,7,7$/);

    const api = await post({ source: "measured" });
    expect(api.status).toBe(200);
    const body = await api.json();
    expect(body.arms).toEqual(out.arms);
    expect(body.daysObserved).toBe(7);
  });

  it("answers 400 naming the field on a bad body, 404 for another experiment", async () => {
    const bad = await post({ source: "telepathy" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/source/);
    const extra = await post({ source: "measured", seed: 1 });
    expect(extra.status).toBe(400);
    expect((await extra.json()).error).toMatch(/seed/);
    const missing = await post({ source: "measured" }, "999");
    expect(missing.status).toBe(404);
  });
});

describe("POST /api/imports with update or until", () => {
  it("answers 404 for an unknown data set and 400 naming the field for a bad day or a name beside update", async () => {
    const imports = await import("~/routes/api.imports");
    const post = (json: unknown) =>
      imports
        .action({
          request: new Request("http://campaign.lab/api/imports", {
            method: "POST",
            body: JSON.stringify(json),
            headers: { "Content-Type": "application/json" },
          }),
          params: {},
          context: {},
        })
        .catch((e: unknown) => e as Response);
    const uploadId = "00000000-0000-4000-8000-000000000000";
    const before = hashTables(t.db);
    const unknown = await post({ uploadId, update: 999 });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/update: no data set with id 999/);
    const day = await post({ uploadId, until: "2011-02-30" });
    expect(day.status).toBe(400);
    expect((await day.json()).error).toMatch(/until/);
    const both = await post({ uploadId, update: 1, name: "x" });
    expect(both.status).toBe(400);
    expect((await both.json()).error).toMatch(/update/);
    expect(hashTables(t.db)).toEqual(before);
  });
});

describe("the experiment page header", () => {
  it("shows the latest version's save time, not the row's updated_at that stop, decide and archive move", async () => {
    const datasetId = t.db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
    const audience = t.db.$client.prepare("SELECT id FROM audiences").pluck().get() as number;
    const other = saveExperiment(t.db, datasetId, {
      ...DEFAULT_DESIGN,
      name: "Header test",
      audience: { kind: "audience", id: audience },
      windowDays: 7,
    });
    await new Promise((r) => setTimeout(r, 5));
    startExperiment(t.db, other, { minPerArm: 0 });
    stopExperiment(t.db, other, "a header test");
    const row = t.db.$client
      .prepare(
        "SELECT updated_at AS updatedAt, (SELECT saved_at FROM experiment_versions WHERE experiment_id = ? ORDER BY version DESC LIMIT 1) AS savedAt FROM experiments WHERE id = ?",
      )
      .get(other, other) as { updatedAt: string; savedAt: string };
    expect(row.updatedAt).not.toBe(row.savedAt);
    const res = (await page.loader({
      request: new Request(`http://campaign.lab/experiments/${other}`),
      params: { id: String(other) },
      context: {},
    })) as Response;
    const data = (await res.json()) as { savedAt: string };
    expect(data.savedAt).toBe(row.savedAt);
  });
});
