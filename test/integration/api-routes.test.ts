import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import * as analyze from "~/routes/api.analyze";
import * as audiences from "~/routes/api.audiences";
import * as clv from "~/routes/api.clv";
import * as datasetRejected from "~/routes/api.datasets.$id.rejected[.]csv";
import * as dataset from "~/routes/api.datasets.$id";
import * as datasets from "~/routes/api.datasets";
import * as datasetsCsv from "~/routes/api.datasets[.]csv";
import * as experimentsPreview from "~/routes/api.experiments.preview";
import * as experiments from "~/routes/api.experiments";
import * as one from "~/routes/api.experiments.$id";
import * as archive from "~/routes/api.experiments.$id.archive";
import * as clone from "~/routes/api.experiments.$id.clone";
import * as decide from "~/routes/api.experiments.$id.decide";
import * as restore from "~/routes/api.experiments.$id.restore";
import * as results from "~/routes/api.experiments.$id.results";
import * as start from "~/routes/api.experiments.$id.start";
import * as stop from "~/routes/api.experiments.$id.stop";
import * as contact from "~/routes/experiments.$id.contact[.]csv";
import * as holdout from "~/routes/experiments.$id.holdout[.]csv";
import * as reportCsv from "~/routes/experiments.$id.report[.]csv";
import * as importJob from "~/routes/api.imports.$id";
import * as importEvents from "~/routes/api.imports.$id.events";
import * as imports from "~/routes/api.imports";
import * as importsAhead from "~/routes/api.imports.ahead";
import * as plan from "~/routes/api.plan";
import * as learnedCsv from "~/routes/api.plan.learned[.]csv";
import * as power from "~/routes/api.power";
import * as report from "~/routes/api.report.$name";
import * as membersCsv from "~/routes/api.segments.members[.]csv";
import * as segments from "~/routes/api.segments";
import * as upload from "~/routes/api.uploads.$id";
import * as uploads from "~/routes/api.uploads";
import * as warehouseAdd from "~/routes/api.warehouse";
import * as warehousePreview from "~/routes/api.warehouse.preview";
import * as warehouseReread from "~/routes/api.warehouse.reread";
import { getFacts } from "~/analytics/facts.server";
import { REPORT_NAMES, buildReport, reportTables, type ReportName } from "~/analytics/reports";
import { toCsv } from "~/lib/csv";
import { waitingJobProcess, type ImportJob } from "~/ingest/jobs.server";
import { activeDatasetId, datasetHistory, setDatasetCurrency } from "~/db/datasets.server";
import { getDb } from "~/db/db.server";
import { closeWarehouses } from "~/db/warehouse.server";
import { valueModel } from "~/planning/value.server";
import { customerCountries, customerTotals, customerWhere, memberRows } from "~/segments/store.server";
import { writeDemoCsv } from "../../seed/generate";
import { fixture, importForTest, snapshot, tempDb } from "../support/db";
import { CHAMPIONS, MINIMAL } from "../support/designs";
import { hashTables } from "../support/hash";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { everyTable, loadShop, SHOP_MAP } from "../support/warehouse-shop";

// Every api.* route's loader and action, called directly with Request objects on a real SQLite file (the server's own
// getDb(), pointed at it by DATABASE_PATH), on good and bad input: status codes and bodies. The warehouse routes' good
// cases need a PostgreSQL cluster (skipped with a message where it is not installed); the last test fails when a route
// file's loader or action was never called here.

const missing = postgresMissing();
if (missing) console.warn(missing);

const BASE = "http://campaign.lab";
type Args = {
  params?: Record<string, string>;
  method?: string;
  json?: unknown;
  body?: BodyInit;
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
};

function request(path: string, { method = "GET", json, body, form, headers = {} }: Args = {}): Request {
  if (json !== undefined)
    return new Request(BASE + path, {
      method,
      body: JSON.stringify(json),
      headers: { "Content-Type": "application/json", ...headers },
    });
  if (form) {
    const data = new FormData();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) data.append(k, x);
    return new Request(BASE + path, { method, body: data, headers });
  }
  return new Request(BASE + path, { method, body, headers, ...(body ? { duplex: "half" } : {}) } as RequestInit);
}

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown> | unknown;
/** every loader and action called by a test of this file (the last test checks that none is missing) */
const called = new Set<unknown>();

/** Calls a loader or action as Remix does; a thrown Response is the answer too (resource routes send it as it is). */
async function call(handler: unknown, path: string, args: Args = {}): Promise<Response> {
  called.add(handler);
  try {
    const out = await (handler as Handler)({ request: request(path, args), params: args.params ?? {}, context: {} });
    if (!(out instanceof Response)) throw new Error(`${path} returned something other than a Response`);
    return out;
  } catch (err) {
    if (err instanceof Response) return err;
    throw err;
  }
}

const body = async (r: Response) => JSON.parse(await r.text());
const lines = async (r: Response) => (await r.text()).trim().split(/\r?\n/);

let t: ReturnType<typeof tempDb>;
let rulesId: number;
let demoId: number;

beforeAll(() => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
});
afterAll(() => t.cleanup());

describe("before any import", () => {
  it("the data set routes answer an empty list and every active-data-set route a 404", async () => {
    expect(await body(await call(datasets.loader, "/api/datasets"))).toEqual([]);
    expect(await lines(await call(datasetsCsv.loader, "/api/datasets.csv"))).toHaveLength(1);
    for (const [handler, path, params] of [
      [segments.loader, "/api/segments", {}],
      [audiences.loader, "/api/audiences", {}],
      [experiments.loader, "/api/experiments", {}],
      [clv.loader, "/api/clv", {}],
      [report.loader, "/api/report/monthly", { name: "monthly" }],
    ] as const) {
      const r = await call(handler, path, { params });
      expect(r.status, path).toBe(404);
      expect((await body(r)).error, path).toMatch(/^No data set yet/);
    }
    const csv = await call(membersCsv.loader, "/api/segments/members.csv");
    expect([csv.status, await csv.text()]).toEqual([404, "No data set yet"]);
  });
});

describe("with data", () => {
  beforeAll(async () => {
    rulesId = await importForTest(t.db, fixture("online-retail-rules.csv"), { name: "Rules" });
    const demo = join(t.dir, "demo.csv");
    await writeDemoCsv(demo, { lines: 6000, seed: 7 });
    demoId = await importForTest(t.db, demo, { name: "Demo" });
  });

  it("GET /api/datasets and /api/datasets.csv list both data sets, the latest active", async () => {
    const list = await body(await call(datasets.loader, "/api/datasets"));
    expect(list.map((d: { name: string; active: boolean }) => [d.name, d.active])).toEqual([
      ["Demo", true],
      ["Rules", false],
    ]);
    const csv = await call(datasetsCsv.loader, "/api/datasets.csv");
    expect(csv.headers.get("Content-Type")).toMatch(/^text\/csv/);
    const rows = await lines(csv);
    expect(rows[0]).toMatch(/^name,file,format,encoding,date_format,/);
    expect(rows.slice(1).map((r) => r.split(",")[0])).toEqual(["Demo", "Rules"]);
  });

  it("GET /api/datasets/:id returns the report, or 404", async () => {
    const ok = await call(dataset.loader, `/api/datasets/${rulesId}`, { params: { id: String(rulesId) } });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toMatchObject({ id: rulesId, name: "Rules", report: { linesRead: 25, duplicateLines: 3 } });
    const missing = await call(dataset.loader, "/api/datasets/999", { params: { id: "999" } });
    expect([missing.status, await body(missing)]).toEqual([404, { error: "No such data set" }]);
  });

  it("PATCH /api/datasets/:id sets the currency (issue 14): 400 naming the field on a bad code, nothing changed", async () => {
    const at = (id: number) => ({ params: { id: String(id) } });
    expect((await body(await call(dataset.loader, "", at(rulesId)))).currency).toBe("GBP"); // Online Retail layout: GBP by default
    const before = snapshot(t.db);
    const bad = await call(dataset.action, "", { ...at(rulesId), method: "PATCH", json: { currency: "EURO" } });
    expect([bad.status, (await body(bad)).error]).toEqual([
      400,
      expect.stringMatching(/^currency: is not an ISO 4217 currency code/),
    ]);
    expect(snapshot(t.db)).toEqual(before);
    const ok = await call(dataset.action, "", { ...at(rulesId), method: "PATCH", json: { currency: "eur" } });
    expect([ok.status, (await body(ok)).currency]).toEqual([200, "EUR"]);
    const none = await call(dataset.action, "", { ...at(rulesId), method: "PATCH", json: { currency: null } });
    expect((await body(none)).currency).toBeNull();
    await call(dataset.action, "", { ...at(rulesId), method: "PATCH", json: { currency: "GBP" } });
    expect((await call(dataset.action, "", { ...at(999), method: "PATCH", json: { currency: "GBP" } })).status).toBe(
      404,
    );
    expect((await call(dataset.action, "", { ...at(rulesId), method: "POST", json: { currency: "GBP" } })).status).toBe(
      405,
    );
  });

  it("GET /api/datasets/:id/rejected.csv lists the rejected examples, or 404", async () => {
    const report = (await body(await call(dataset.loader, "", { params: { id: String(rulesId) } }))).report;
    const csv = await call(datasetRejected.loader, "", { params: { id: String(rulesId) } });
    const rows = await lines(csv);
    expect(rows[0]).toBe("line,reason,text");
    expect(rows.length - 1).toBe(report.rejectedExamples.length);
    expect(report.rejectedExamples.length).toBeGreaterThan(0);
    const missing = await call(datasetRejected.loader, "", { params: { id: "999" } });
    expect([missing.status, await missing.text()]).toEqual([404, "No such data set"]);
  });

  it("GET /api/report/:name answers JSON and CSV, 400 on a bad filter, 404 on an unknown report or table", async () => {
    const ok = await call(report.loader, "/api/report/overview", { params: { name: "overview" } });
    expect(ok.status).toBe(200);
    expect((await body(ok)).dataset).toMatchObject({ id: demoId, name: "Demo" });
    const bad = await call(report.loader, "/api/report/monthly?from=2011-13-01", { params: { name: "monthly" } });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toMatch(/^from: /);
    const unknown = await call(report.loader, "/api/report/weather", { params: { name: "weather" } });
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).error).toMatch(/^No report "weather"; reports: /);
    const table = await call(report.loader, "/api/report/monthly?format=csv&table=nope", {
      params: { name: "monthly" },
    });
    expect([table.status, (await body(table)).error]).toEqual([
      404,
      expect.stringMatching(/^No table "nope" in monthly/),
    ]);
    const csv = await call(report.loader, "/api/report/monthly?format=csv", { params: { name: "monthly" } });
    expect(csv.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect((await lines(csv)).length).toBeGreaterThan(12); // a header and one row per month of 13
  });

  it("GET /api/segments and /api/segments/members.csv", async () => {
    const r = await body(await call(segments.loader, "/api/segments"));
    const counted = r.segments.reduce((s: number, x: { customers: number }) => s + x.customers, 0);
    expect(counted).toBe(r.customers);
    const champions = r.segments.find((s: { name: string }) => s.name === "Champions").customers;
    const csv = await lines(await call(membersCsv.loader, "/api/segments/members.csv?segment=champions"));
    expect(csv[0]).toBe("CustomerID,Recency,Frequency,Monetary (GBP),R,F,M,RFM,Segment,Persona");
    expect(csv.length - 1).toBe(champions);
    expect(csv.slice(1).every((l) => l.includes(",Champions,"))).toBe(true);
    const unknown = await call(membersCsv.loader, "/api/segments/members.csv?segment=nope");
    expect([unknown.status, await unknown.text()]).toEqual([404, 'No segment "nope"']);
  });

  it("GET /api/audiences lists; POST sizes a definition (the segment's count) or answers 400 with field errors", async () => {
    expect(await body(await call(audiences.loader, "/api/audiences"))).toEqual([]);
    const seg = await body(await call(segments.loader, "/api/segments"));
    const champions = seg.segments.find((s: { name: string }) => s.name === "Champions");
    const ok = await call(audiences.action, "/api/audiences", {
      method: "POST",
      form: { kind: "segment", segment: "Champions" },
    });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toEqual({
      customers: champions.customers,
      revenue: champions.revenue,
      description: "Segment: Champions",
    });
    const bad = await call(audiences.action, "/api/audiences", {
      method: "POST",
      form: { kind: "filter", recencyMin: "90", recencyMax: "10" },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).errors).toEqual({ recencyMin: "min is above max" });
  });

  const design = {
    name: "Push test",
    campaignType: "personalised push",
    audienceKind: "segment",
    segment: "Champions",
    armName: ["Control", "Push"],
    armShare: ["50", "50"],
    primaryMetric: "conversion",
    windowDays: "30",
    alpha: "0.05",
    power: "0.8",
    sides: "2",
    mde: "5",
    mdeUnit: "relative",
    method: "pooled",
  };

  it("POST /api/experiments/preview: the design's audience, baselines and sample size, or 400 with field errors", async () => {
    const ok = await call(experimentsPreview.action, "/api/experiments/preview", { method: "POST", form: design });
    expect(ok.status).toBe(200);
    const { preview } = await body(ok);
    const champions = (await body(await call(segments.loader, "/api/segments"))).segments.find(
      (s: { name: string }) => s.name === "Champions",
    );
    expect(preview.audience).toMatchObject({ customers: champions.customers, label: "Segment: Champions" });
    expect(preview.baselines.windowDays).toBe(30);
    expect(preview.power.problem).toBeNull();
    expect(preview.power.result.nControl).toBeGreaterThan(0);
    expect(preview.power.audienceSize).toBe(champions.customers);
    const bad = await call(experimentsPreview.action, "/api/experiments/preview", {
      method: "POST",
      form: { ...design, method: "t" },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).errors).toMatchObject({ method: "Conversion takes method pooled or arcsine" });
    const get = await call(experimentsPreview.loader, "/api/experiments/preview");
    expect([get.status, get.headers.get("Allow")]).toEqual([405, "POST"]);
  });

  it("GET /api/experiments lists as JSON and CSV", async () => {
    expect(await body(await call(experiments.loader, "/api/experiments"))).toEqual([]);
    const csv = await lines(await call(experiments.loader, "/api/experiments?format=csv"));
    expect(csv).toEqual([
      "id,name,campaign_type,audience,status,primary_metric,window_days,planned_total,decision,updated_at,rehearsal,archived",
    ]);
  });

  it("POST /api/power: sizes, 400 on bad input or a body that is not JSON, 405 on GET", async () => {
    const ok = await call(power.action, "/api/power", {
      method: "POST",
      json: { baseline: 0.05, mde: 0.1, relative: true },
    });
    expect(ok.status).toBe(200);
    // the same figure the power calculator's browser test pins (test/e2e/experiments.test.ts): 5% → 5.5%, α 0.05, 80%
    expect((await body(ok)).nControl).toBe(31_234);
    const bad = await call(power.action, "/api/power", {
      method: "POST",
      json: { baseline: 0.05, mde: 0.1, alpha: 0.9 },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toMatch(/^alpha: alpha must be in \(0, 0.5\]/);
    const notJson = await call(power.action, "/api/power", { method: "POST", body: "baseline=0.05" });
    expect([notJson.status, await body(notJson)]).toEqual([400, { error: "The body is not JSON" }]);
    const get = await call(power.action, "/api/power");
    expect([get.status, await body(get)]).toEqual([405, { error: "Use POST with a JSON body" }]);
  });

  it("POST /api/analyze: a result set's comparison, 400 on bad counts, 404 for an experiment without results", async () => {
    const set = {
      metric: "proportion",
      arms: [
        { name: "control", users: 1000, conversions: 100 },
        { name: "treatment", users: 1000, conversions: 130 },
      ],
    };
    const ok = await call(analyze.action, "/api/analyze", { method: "POST", json: set });
    expect(ok.status).toBe(200);
    const r = await body(ok);
    expect(r.comparisons).toHaveLength(1);
    expect(r.comparisons[0].absolute.estimate).toBeCloseTo(0.03, 12);
    expect(r.srm.flagged).toBe(false);
    const bad = await call(analyze.action, "/api/analyze", {
      method: "POST",
      json: { ...set, arms: [set.arms[0], { name: "treatment", users: 10, conversions: 20 }] },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toBe("arms.1.conversions: conversions cannot exceed users");
    const bayes = await body(
      await call(analyze.action, "/api/analyze", { method: "POST", json: { ...set, engine: "bayesian", prior: {} } }),
    );
    expect(bayes).toMatchObject({ engine: "bayesian", prior: { mean: 0, variance: 0.09, proper: true } });
    expect(bayes.comparisons[0].relative).toEqual({
      estimate: expect.any(Number),
      ci: [expect.any(Number), expect.any(Number)],
      chanceToWin: expect.any(Number),
      risk: [expect.any(Number), expect.any(Number)],
      reason: null,
    });
    const seq = await body(
      await call(analyze.action, "/api/analyze", { method: "POST", json: { ...set, engine: "sequential" } }),
    );
    expect(seq).toMatchObject({ engine: "sequential", sequential: { tuning: 5000 } });
    const badEngine = await call(analyze.action, "/api/analyze", {
      method: "POST",
      json: { ...set, engine: "sequential", sequential: { tuning: 2.5 } },
    });
    expect([badEngine.status, (await body(badEngine)).error]).toEqual([
      400,
      "sequential.tuning: tuning must be a whole number",
    ]);
    const none = await call(analyze.action, "/api/analyze", { method: "POST", json: { experiment: 999 } });
    expect([none.status, await body(none)]).toEqual([404, { error: "No recorded results for that experiment" }]);
    const notJson = await call(analyze.action, "/api/analyze", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("POST /api/plan: the allocation as JSON or CSV, 400 on bad input", async () => {
    const candidate = {
      name: "A",
      audience: 100,
      costPerContact: 1,
      valuePerCustomer: 50,
      lift: 0.1,
      grossMargin: 0.5,
      discountShare: 0,
    };
    const ok = await call(plan.action, "/api/plan", { method: "POST", json: { budget: 40, candidates: [candidate] } });
    expect(ok.status).toBe(200);
    const r = await body(ok);
    // 50 × 0.1 × 0.5 − 1 = 1.5 profit per contact; a budget of 40 buys 40 contacts
    expect(r.allocations[0]).toMatchObject({ name: "A", contacts: 40, spend: 40 });
    expect(r.allocations[0].expectedProfit).toBeCloseTo(60, 9);
    const csv = await call(plan.action, "/api/plan?format=csv", {
      method: "POST",
      json: { budget: 40, candidates: [candidate] },
    });
    // money columns name the active data set's currency (issue 14)
    expect(await lines(csv)).toEqual([
      "campaign,contacts,spend (GBP),expected_profit (GBP),incremental_revenue (GBP),profit_per_contact (GBP),return_per_spend",
      "A,40,40,60,200,1.5,1.5",
    ]);
    expect((await lines(await call(learnedCsv.loader, "/api/plan/learned.csv")))[0]).toBe(
      "campaign,status,audience,value_per_customer (GBP),raw_lift,learned_lift,lift_low,lift_high,borrowed,experiments,profit_low (GBP),profit_high (GBP),test_lift,test_per_arm",
    );
    const bad = await call(plan.action, "/api/plan", { method: "POST", json: { budget: -1, candidates: [candidate] } });
    expect([bad.status, await body(bad)]).toEqual([400, { error: "budget: the budget cannot be negative" }]);
    const notJson = await call(plan.action, "/api/plan", {
      method: "POST",
      json: undefined,
      body: "{",
      headers: { "Content-Type": "application/json" },
    });
    expect([notJson.status, await body(notJson)]).toEqual([400, { error: "The body is not JSON" }]);
  });

  it("GET /api/clv: the fitted models and the per-customer CSV, 400 on a bad calibration end", async () => {
    const ok = await call(clv.loader, "/api/clv?calibrationEnd=2011-09-30");
    expect(ok.status).toBe(200);
    const r = await body(ok);
    expect(r.calibrationEnd).toBe("2011-09-30");
    expect(r.bgnbd.r).toBeGreaterThan(0);
    const csv = await lines(await call(clv.loader, "/api/clv?calibrationEnd=2011-09-30&format=csv"));
    expect(csv.length - 1).toBe(r.customers);
    expect(csv[0]).toMatch(/,revenue_to_date \(GBP\),.*,expected_order_value \(GBP\),expected_revenue_365d \(GBP\),/); // issue 14
    const bad = await call(clv.loader, "/api/clv?calibrationEnd=2011-13-45");
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toMatch(/^calibrationEnd: /);
  });

  it("POST /api/warehouse/reread: 404 for a data set that is not a warehouse one, 400 on a bad body, 405 on GET; nothing changed", async () => {
    const before = snapshot(t.db);
    const imported = await call(warehouseReread.action, "/api/warehouse/reread", { method: "POST", json: {} });
    expect(imported.status).toBe(404);
    expect((await body(imported)).error).toMatch(/^No warehouse data set \d+$/);
    const unknown = await call(warehouseReread.action, "/api/warehouse/reread", {
      method: "POST",
      json: { dataset: 999 },
    });
    expect(unknown.status).toBe(404);
    for (const json of [{ dataset: "one" }, { dataset: -1 }, { table: "shop.lines" }]) {
      const bad = await call(warehouseReread.action, "/api/warehouse/reread", { method: "POST", json });
      expect(bad.status).toBe(400);
      expect((await body(bad)).error).toMatch(/dataset|table/);
    }
    const notJson = await call(warehouseReread.action, "/api/warehouse/reread", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect((await call(warehouseReread.loader, "/api/warehouse/reread")).status).toBe(405);
    expect(snapshot(t.db)).toEqual(before);
  });

  // their good cases connect a PostgreSQL table: "the warehouse routes on a PostgreSQL table" below
  it("POST /api/warehouse and /api/warehouse/preview: 400 with one line naming the field once on a bad body, 405 on GET; nothing changed", async () => {
    const before = snapshot(t.db);
    for (const [route, path] of [
      [warehouseAdd, "/api/warehouse"],
      [warehousePreview, "/api/warehouse/preview"],
    ] as const) {
      const noUrl = await call(route.action, path, { method: "POST", json: { orders: "shop.lines" } });
      expect(noUrl.status).toBe(400);
      expect((await body(noUrl)).error).toBe("url: give a PostgreSQL URL");
      const noTable = await call(route.action, path, { method: "POST", json: { url: "postgresql:///shop" } });
      expect(noTable.status).toBe(400);
      expect((await body(noTable)).error).toBe("orders: name the table of transaction lines");
      const notJson = await call(route.action, path, { method: "POST", body: "{" });
      expect(notJson.status).toBe(400);
      expect((await call(route.loader, path)).status).toBe(405);
    }
    expect(snapshot(t.db)).toEqual(before);
  });

  it("uploads and imports: POST /api/uploads, GET and DELETE /api/uploads/:id, POST /api/imports, GET /api/imports/:id", async () => {
    const file = readFileSync(fixture("context-shop.csv"));
    const sent = await call(uploads.action, "/api/uploads", {
      method: "POST",
      body: file,
      headers: { "X-File-Name": "context-shop.csv" },
    });
    expect(sent.status).toBe(200);
    const { upload: up, preview } = await body(sent);
    expect(up).toMatchObject({ fileName: "context-shop.csv", bytes: file.length });
    expect(preview.needsMapping).toBe(false);
    // its import's process was started with the upload (the import below runs in it); asked ahead, it stays the one
    const waiting = waitingJobProcess();
    expect(waiting).not.toBeNull();
    const ahead = await call(importsAhead.action, "/api/imports/ahead", { method: "POST" });
    expect([ahead.status, await body(ahead), waitingJobProcess()]).toEqual([202, { ok: true }, waiting]);
    expect((await call(importsAhead.action, "/api/imports/ahead")).status).toBe(405);
    const empty = await call(uploads.action, "/api/uploads", { method: "POST", body: new Uint8Array(0) });
    expect([empty.status, await body(empty)]).toEqual([400, { error: "The file is empty (0 bytes)" }]);
    expect((await call(uploads.action, "/api/uploads")).status).toBe(405);

    const seen = await call(upload.loader, `/api/uploads/${up.id}`, { params: { id: up.id } });
    expect(seen.status).toBe(200);
    expect((await body(seen)).upload).toEqual(up);
    const badMap = await call(upload.loader, `/api/uploads/${up.id}?customer=${"x".repeat(201)}`, {
      params: { id: up.id },
    });
    expect(badMap.status).toBe(400);
    const unknown = await call(upload.loader, "/api/uploads/nope", { params: { id: "nope" } });
    expect(unknown.status).toBe(404);

    const badBody = await call(imports.action, "/api/imports", { method: "POST", json: { uploadId: "nope" } });
    expect([badBody.status, await body(badBody)]).toEqual([
      400,
      { error: "uploadId: uploadId must be the id returned by the upload" },
    ]);
    const noUpload = await call(imports.action, "/api/imports", {
      method: "POST",
      json: { uploadId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(noUpload.status).toBe(404);
    expect((await call(imports.action, "/api/imports")).status).toBe(405);
    expect((await call(importJob.loader, "/api/imports/nope", { params: { id: "nope" } })).status).toBe(404);
    expect((await call(importEvents.loader, "/api/imports/nope/events", { params: { id: "nope" } })).status).toBe(404);

    const finished = async (job: { id: string }) => {
      for (;;) {
        const j = await body(await call(importJob.loader, `/api/imports/${job.id}`, { params: { id: job.id } }));
        if (j.status !== "running") return j;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const started = await call(imports.action, "/api/imports", {
      method: "POST",
      json: { uploadId: up.id, name: "Shop" },
    });
    expect(started.status).toBe(202);
    // its events: the job at each change, the report as soon as it has committed (still running: the column file is
    // written after), then the end of the stream with the job done
    const job = await body(started);
    const stream = await call(importEvents.loader, `/api/imports/${job.id}/events`, { params: { id: job.id } });
    expect(stream.headers.get("Content-Type")).toBe("text/event-stream");
    const events = (await stream.text()).trim().split("\n\n");
    const seenJobs = events.map((e) => JSON.parse(e.replace(/^data: /, "")));
    expect(seenJobs.map((j) => j.id)).toEqual(events.map(() => job.id));
    expect(seenJobs.some((j) => j.status === "running" && j.report?.dataset === "Shop")).toBe(true);
    expect(seenJobs.at(-1)).toMatchObject({ status: "done", report: { dataset: "Shop" } });
    const done = await finished(job);
    expect(done).toMatchObject({
      status: "done",
      error: null,
      canReplace: false,
      report: { dataset: "Shop", customers: 4 },
    });
    expect((await body(await call(datasets.loader, "/api/datasets"))).map((d: { name: string }) => d.name)).toEqual([
      "Shop",
      "Demo",
      "Rules",
    ]);

    // the same file again: refused as a conflict, which the UI offers to replace; nothing changes
    const again = await body(
      await call(uploads.action, "/api/uploads", {
        method: "POST",
        body: file,
        headers: { "X-File-Name": "context-shop.csv" },
      }),
    );
    const before = snapshot(t.db);
    const refused = await finished(
      await body(
        await call(imports.action, "/api/imports", {
          method: "POST",
          json: { uploadId: again.upload.id, name: "Shop 2" },
        }),
      ),
    );
    expect(refused).toMatchObject({
      status: "failed",
      canReplace: true,
      error: expect.stringMatching(/^This file was already imported as "Shop"/),
    });
    expect(snapshot(t.db)).toEqual(before);

    const removed = await call(upload.action, `/api/uploads/${again.upload.id}`, {
      method: "DELETE",
      params: { id: again.upload.id },
    });
    expect([removed.status, await body(removed)]).toEqual([200, { ok: true }]);
    expect((await call(upload.loader, "", { params: { id: again.upload.id } })).status).toBe(404);
    expect((await call(upload.action, "", { method: "POST", params: { id: again.upload.id } })).status).toBe(405);
  });

  it("GET /api/imports/:id/events follows a job another web worker runs (its file) until it is over", async () => {
    const id = "0b9f4a52-58d4-4f5e-9d0e-3c1b0f2e7a11";
    const file = join(dirname(t.path), "imports", `${id}.json`);
    const job = {
      id,
      fileName: "x.csv",
      status: "running",
      progress: null,
      report: null,
      error: null,
      canReplace: false,
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(job));
    const stream = await call(importEvents.loader, `/api/imports/${id}/events`, { params: { id } });
    setTimeout(() => writeFileSync(file, JSON.stringify({ ...job, status: "failed", error: "Stopped" })), 300);
    const events = (await stream.text()).trim().split("\n\n");
    expect(events.map((e) => JSON.parse(e.replace(/^data: /, "")).status)).toEqual(["running", "failed"]);
  });
});

describe("the experiment routes (issues 13 and 16), on a shop large enough to start a test", () => {
  beforeAll(async () => {
    const file = join(t.dir, "campaigns.csv");
    await writeDemoCsv(file, { lines: 80_000, seed: 9 });
    await importForTest(t.db, file, { name: "Campaigns" });
  });
  const ecall = (handler: unknown, path: string, method = "GET", json?: unknown, params: Record<string, string> = {}) =>
    call(handler, path, { method, json, params });
  const answer = async (r: Response) => [r.status, JSON.parse(await r.text())] as const;
  /** Runs a refused request and checks that it changed no table. */
  async function refused(run: () => Promise<Response>, status: number, message: RegExp) {
    const before = hashTables(t.db);
    const [code, body] = await answer(await run());
    expect([code, body.error]).toEqual([status, expect.stringMatching(message)]);
    expect(hashTables(t.db)).toEqual(before);
  }

  it("walks a test through create, start, rehearsal, real results, stop, decide, clone, archive, restore and delete", async () => {
    const [created, minimal] = await answer(await ecall(experiments.action, "/api/experiments", "POST", MINIMAL));
    expect([created, minimal.status, minimal.design.guardrails, minimal.design.stats.power]).toEqual([
      201,
      "draft",
      [],
      0.8,
    ]);
    await refused(
      () => ecall(experiments.action, "/api/experiments", "POST", { ...CHAMPIONS, name: "" }),
      400,
      /^name: Give the experiment a name/,
    );
    await refused(
      () => ecall(experiments.action, "/api/experiments", "POST", { ...CHAMPIONS, stats: { mde: -1 } }),
      400,
      /^stats\.mde: The MDE must be above 0/,
    );
    const put = await ecall(experiments.action, "/api/experiments", "PUT", CHAMPIONS);
    expect([put.status, put.headers.get("Allow")]).toEqual([405, "GET, POST"]);

    const [, draft] = await answer(await ecall(experiments.action, "/api/experiments", "POST", CHAMPIONS));
    const id = String(draft.id);
    const p = { id };
    for (const [step, route] of Object.entries({ start, stop, decide, clone, archive, restore })) {
      const wrong = await ecall(route.loader, `/api/experiments/${id}/${step}`, "GET", undefined, p);
      expect([step, wrong.status, wrong.headers.get("Allow")]).toEqual([step, 405, "POST"]);
    }
    // a body over the limit is refused unread, as on every api route (413), for the steps and the DELETE alike
    const huge = { note: "x".repeat(1_000_001) };
    await refused(() => ecall(start.action, `/api/experiments/${id}/start`, "POST", huge, p), 413, /^The body is over/);
    await refused(() => ecall(one.action, `/api/experiments/${id}`, "DELETE", huge, p), 413, /^The body is over/);
    await refused(
      () => ecall(results.loader, `/api/experiments/${id}/results`, "GET", undefined, p),
      404,
      /^No measured results recorded for this experiment/,
    );
    await refused(
      () => ecall(start.action, `/api/experiments/${id}/start`, "POST", { startDate: "12/12/2011" }, p),
      400,
      /^startDate: use YYYY-MM-DD/,
    );
    await refused(
      () => ecall(start.action, `/api/experiments/${id}/start`, "POST", { startDate: "2011-01-01" }, p),
      400,
      /^start date: 2011-01-01 is before the data set's last day/,
    );
    const [startedCode, started] = await answer(
      await ecall(start.action, `/api/experiments/${id}/start`, "POST", {}, p),
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
      await (await ecall(contact.loader, `/experiments/${id}/contact.csv`, "GET", undefined, p)).text()
    )
      .trim()
      .split("\r\n");
    const holdoutCsv = (
      await (await ecall(holdout.loader, `/experiments/${id}/holdout.csv`, "GET", undefined, p)).text()
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
      () => ecall(results.action, `/api/experiments/${id}/results`, "POST", { source: "bogus" }, p),
      400,
      /source must be "measured", "simulation", "aggregate" or "upload"/,
    );
    await refused(
      () =>
        ecall(
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
      await ecall(
        results.action,
        `/api/experiments/${id}/results`,
        "POST",
        { source: "simulation", seed: 1, lift: { Treatment: 0.15 } },
        p,
      ),
    );
    expect(rehearsal).toMatchObject({ source: "simulation", rehearsal: true });
    const [, shown] = await answer(await ecall(one.loader, `/api/experiments/${id}`, "GET", undefined, p));
    expect(shown).toMatchObject({ status: "running", results: { source: "simulation", rehearsal: true } });
    // the report CSV's money items name the data set's currency (issue 14); conversion stays a share
    const report = (
      await (await ecall(reportCsv.loader, `/experiments/${id}/report.csv`, "GET", undefined, p)).text()
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
      await ecall(
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
        ecall(
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
      await ecall(stop.action, `/api/experiments/${id}/stop`, "POST", { reason: "budget cut" }, p),
    );
    expect(stopped).toMatchObject({ status: "completed", stopReason: "budget cut" });
    await refused(
      () => ecall(decide.action, `/api/experiments/${id}/decide`, "POST", { decision: "maybe" }, p),
      400,
      /^decision: /,
    );
    const [, decided] = await answer(
      await ecall(
        decide.action,
        `/api/experiments/${id}/decide`,
        "POST",
        { decision: "inconclusive", note: "stopped for budget" },
        p,
      ),
    );
    expect(decided).toMatchObject({ decision: "inconclusive", decisionNote: "stopped for budget" });
    const [cloneCode, copy] = await answer(
      await ecall(clone.action, `/api/experiments/${id}/clone`, "POST", undefined, p),
    );
    expect([cloneCode, copy.status, copy.name]).toEqual([201, "draft", "Champions early access (copy)"]);
    expect(
      (await answer(await ecall(archive.action, `/api/experiments/${id}/archive`, "POST", undefined, p)))[1].archived,
    ).toBe(true);
    await refused(
      () => ecall(archive.action, `/api/experiments/${id}/archive`, "POST", undefined, p),
      409,
      /already archived/,
    );
    expect(
      (await answer(await ecall(restore.action, `/api/experiments/${id}/restore`, "POST", undefined, p)))[1].archived,
    ).toBe(false);
    await refused(
      () => ecall(one.action, `/api/experiments/${id}`, "DELETE", undefined, p),
      400,
      /^name: type the experiment's name "Champions early access"/,
    );
    const patch = await ecall(one.action, `/api/experiments/${id}`, "PATCH", {}, p);
    expect([patch.status, patch.headers.get("Allow")]).toEqual([405, "GET, DELETE"]);
    expect(
      await answer(
        await ecall(one.action, `/api/experiments/${id}`, "DELETE", { confirmName: "Champions early access" }, p),
      ),
    ).toEqual([200, { deleted: Number(id) }]);
    expect((await ecall(one.loader, `/api/experiments/${id}`, "GET", undefined, p)).status).toBe(404);
  });
});

describe.skipIf(missing !== null)("the warehouse routes on a PostgreSQL table (issue 17)", () => {
  const post = (handler: unknown, route: string, json: unknown) => call(handler, route, { method: "POST", json });
  let pg: TestCluster;
  let url: string;
  const map = Object.fromEntries(SHOP_MAP.map((m) => m.split("=")));
  beforeAll(() => {
    pg = startCluster();
    loadShop(pg, "shop.lines", fixture("context-shop.csv"));
    url = `${pg.url}&password=hunter2`;
  });
  afterAll(async () => {
    await closeWarehouses();
    pg?.stop();
  });

  it("refuses a body without the table (400 naming it) and a bad mapping, changing nothing", async () => {
    const before = everyTable(getDb());
    const noTable = await post(warehouseAdd.action, "/api/warehouse", { url });
    expect(noTable.status).toBe(400);
    expect((await noTable.json()).error).toMatch(/orders/);
    const badColumn = await post(warehouseAdd.action, "/api/warehouse", {
      url,
      orders: "shop.lines",
      map: { ...map, customer: "nope" },
    });
    expect(badColumn.status).toBe(400);
    const text = await badColumn.text();
    expect(JSON.parse(text).error).toMatch(/"nope" mapped to customer/);
    expect(text).not.toContain("hunter2");
    expect(everyTable(getDb())).toEqual(before);
  });

  it("previews, then adds the table as the active data set; no answer carries the URL's password", async () => {
    const p = await post(warehousePreview.action, "/api/warehouse/preview", { url, orders: "shop.lines", map });
    expect(p.status).toBe(200);
    const shown = await p.text();
    expect(shown).not.toContain("hunter2");
    expect(JSON.parse(shown).rows.length).toBeGreaterThan(0);
    const r = await post(warehouseAdd.action, "/api/warehouse", {
      url,
      orders: "shop.lines",
      map,
      name: "Warehouse shop",
      currency: "GBP",
    });
    expect(r.status).toBe(201);
    const text = await r.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toMatchObject({ kind: "warehouse", linesRead: 14 });
    const list = await (await call(datasets.loader, "/api/datasets")).text();
    expect(list).toContain('"kind":"warehouse"');
    expect(list).not.toContain("hunter2");
  });

  it("answers GET /api/clv with the imported file's model: 200 (or 202 while the warehouse's summaries are fetched and fitted beyond a second)", async () => {
    const ask = async () => call(clv.loader, "/api/clv");
    const first = await ask();
    if (first.status === 202) expect(first.headers.get("Retry-After")).toBe("2");
    let res = first;
    for (let i = 0; i < 100 && res.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await ask();
    }
    expect(res.status).toBe(200);
    const got = await res.json();
    const t = tempDb();
    try {
      const id = await importForTest(t.db, fixture("context-shop.csv"));
      const want = await valueModel(t.db, id);
      expect([got.calibrationEnd, got.customers, got.fits.used]).toEqual([
        want.calibrationEnd,
        want.customers,
        want.fits.used,
      ]);
      // equal summaries (warehouse-equality.test.ts) and a deterministic fit: 1e-9 relative
      for (const k of ["r", "alpha", "a", "b"] as const)
        expect(Math.abs(got.bgnbd[k] - want.bgnbd![k])).toBeLessThanOrEqual(1e-9 * Math.max(1, want.bgnbd![k]));
    } finally {
      t.cleanup();
    }
    const bad = await call(clv.loader, "/api/clv?calibrationEnd=yesterday");
    expect(bad.status).toBe(400);
  });

  it("answers GET /api/report/<name> with the imported file's figures, computed in PostgreSQL, and every CSV download byte for byte", async () => {
    const t = tempDb();
    try {
      const id = await importForTest(t.db, fixture("context-shop.csv"));
      setDatasetCurrency(t.db, id, "GBP"); // as the warehouse data set was added
      const facts = getFacts(t.db, id);
      const get = (name: ReportName, query = "") =>
        call(report.loader, `/api/report/${name}${query}`, { params: { name } });
      const filters: Record<string, string>[] = [{}, { from: "2011-02-01", country: "United Kingdom" }];
      for (const filter of filters) {
        const search = new URLSearchParams(filter).toString();
        for (const name of REPORT_NAMES) {
          const res = await get(name, `?${search}`);
          expect(res.status).toBe(200);
          const { dataset: _d, ...figures } = await res.json();
          const want = buildReport(facts, name, filter);
          expect([name, figures]).toEqual([name, JSON.parse(JSON.stringify(want))]);
          // the page's download links: each table of the report, from the same figures (one CSV writer)
          for (const table of reportTables(name, want, facts.currency)) {
            const csv = await get(name, `?${search}&format=csv&table=${table.name}`);
            expect([table.name, csv.status, csv.headers.get("Content-Type")]).toEqual([
              table.name,
              200,
              "text/csv; charset=utf-8",
            ]);
            expect(await csv.text()).toBe(toCsv(table.header, table.rows));
          }
        }
      }
      const none = await get("products", "?format=csv&table=nope");
      expect([none.status, (await none.json()).error]).toEqual([
        404,
        'No table "nope" in products; tables: products, most-returned',
      ]);
    } finally {
      t.cleanup();
    }
  });
  it("reads the table again as a job with POST /api/warehouse/reread: the new line's customer, country and segment are there", async () => {
    const db = getDb();
    const id = activeDatasetId(db)!;
    const before = customerCountries(db, id);
    expect(before).not.toContain("Iceland");
    pg.psql(
      `INSERT INTO shop.lines VALUES ('599999', '22423', 'REGENCY CAKESTAND', 2, '2011-03-30 10:00', 12.75, '19999', 'Iceland')`,
    );
    const r = await post(warehouseReread.action, "/api/warehouse/reread", {});
    // a job, as POST /api/imports starts: its stages and, once done, its report come from GET /api/imports/:id
    expect(r.status).toBe(202);
    const started = (await r.json()) as ImportJob;
    expect(started).toMatchObject({ kind: "reread", fileName: "shop.lines", status: "running" });
    const { job, stages } = await finishedJob(started);
    expect(job.error).toBeNull();
    expect(job.status).toBe("done");
    expect(stages.at(-1)).toBe("done");
    expect(job.report).toMatchObject({ id, linesRead: 15 });
    expect(customerCountries(db, id)).toContain("Iceland");
    expect(customerTotals(db, id, "19999")).toMatchObject({ sales: 25_500, returns: 0, cohortMonth: "2011-03" });
    expect(memberRows(db, id, [customerWhere("19999")])).toMatchObject([{ customerId: "19999", country: "Iceland" }]);
    // the history has the re-read; the same answer for the data set named
    expect(datasetHistory(db, id).map((h) => h.kind)).toEqual(["import", "update"]);
    const again = await post(warehouseReread.action, "/api/warehouse/reread", { dataset: id });
    expect(again.status).toBe(202);
    expect((await finishedJob(await again.json())).job.report).toMatchObject({ id, linesRead: 15 });
  });
});

/** Polls GET /api/imports/:id until the job ends: its last state and the stages seen (the URL never in them). */
async function finishedJob(started: ImportJob): Promise<{ job: ImportJob; stages: string[] }> {
  const stages: string[] = [];
  let job = started;
  for (let i = 0; i < 1200 && job.status === "running"; i++) {
    await new Promise((done) => setTimeout(done, 50));
    const polled = await call(importJob.loader, `/api/imports/${started.id}`, { params: { id: started.id } });
    const text = await polled.text();
    expect(text).not.toContain("hunter2");
    job = JSON.parse(text);
    if (job.progress && stages.at(-1) !== job.progress.stage) stages.push(job.progress.stage);
  }
  return { job, stages };
}

describe("every api.* route", () => {
  it("has its loader and action called by a test above", async () => {
    const routes = fileURLToPath(new URL("../../app/routes/", import.meta.url));
    const uncalled: string[] = [];
    for (const file of readdirSync(routes).filter((f) => f.startsWith("api."))) {
      const route: Record<string, unknown> = await import(join(routes, file));
      for (const handler of ["loader", "action"])
        if (typeof route[handler] === "function" && !called.has(route[handler])) uncalled.push(`${file} ${handler}`);
    }
    expect(uncalled).toEqual([]);
  });
});
