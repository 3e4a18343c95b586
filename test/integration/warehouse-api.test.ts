import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { REPORT_NAMES, buildReport, reportTables, type ReportName } from "~/analytics/reports";
import { toCsv } from "~/lib/csv";
import { getFacts } from "~/analytics/facts.server";
import { getDb } from "~/db/db.server";
import { closeWarehouses } from "~/db/warehouse.server";
import * as reportRoute from "~/routes/api.report.$name";
import * as clvRoute from "~/routes/api.clv";
import * as reread from "~/routes/api.warehouse.reread";
import * as jobRoute from "~/routes/api.imports.$id";
import type { ImportJob } from "~/ingest/jobs.server";
import { activeDatasetId, datasetHistory, setDatasetCurrency } from "~/db/datasets.server";
import { customerCountries, customerTotals, customerWhere, memberRows } from "~/segments/store.server";
import { valueModel } from "~/planning/value.server";
import * as add from "~/routes/api.warehouse";
import * as preview from "~/routes/api.warehouse.preview";
import * as datasets from "~/routes/api.datasets";
import { fixture, importForTest, tempDb } from "../support/db";
import { postgresMissing, startCluster, type TestCluster } from "../support/postgres";
import { everyTable, loadShop, SHOP_MAP } from "../support/warehouse-shop";

// POST /api/warehouse and /api/warehouse/preview (issue 17): zod bodies, 400 naming the field, the URL never returned;
// GET /api/report/<name> of a warehouse data set gives the imported file's figures, computed in PostgreSQL.

const missing = postgresMissing();
if (missing) console.warn(missing);

const dir = mkdtempSync(path.join(tmpdir(), "campaign-lab-wh-api-"));
process.env.DATABASE_PATH = path.join(dir, "api.db");
const map = Object.fromEntries(SHOP_MAP.map((m) => m.split("=")));
const post = (action: (args: ActionFunctionArgs) => Promise<unknown>, route: string, json: unknown) =>
  action({
    request: new Request(`http://campaign.lab${route}`, {
      method: "POST",
      body: JSON.stringify(json),
      headers: { "Content-Type": "application/json" },
    }),
    params: {},
    context: {},
  }) as Promise<Response>;

describe.skipIf(missing !== null)("the warehouse API", () => {
  let pg: TestCluster;
  let url: string;
  beforeAll(() => {
    pg = startCluster();
    loadShop(pg, "shop.lines", fixture("context-shop.csv"));
    url = `${pg.url}&password=hunter2`;
  });
  afterAll(async () => {
    await closeWarehouses();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a body without the table (400 naming it) and a bad mapping, changing nothing", async () => {
    const before = everyTable(getDb());
    const noTable = await post(add.action, "/api/warehouse", { url });
    expect(noTable.status).toBe(400);
    expect((await noTable.json()).error).toMatch(/orders/);
    const badColumn = await post(add.action, "/api/warehouse", {
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
    const p = await post(preview.action, "/api/warehouse/preview", { url, orders: "shop.lines", map });
    expect(p.status).toBe(200);
    const shown = await p.text();
    expect(shown).not.toContain("hunter2");
    expect(JSON.parse(shown).rows.length).toBeGreaterThan(0);
    const r = await post(add.action, "/api/warehouse", {
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
    const list = await (datasets.loader as () => Promise<Response>)().then((x) => x.text());
    expect(list).toContain('"kind":"warehouse"');
    expect(list).not.toContain("hunter2");
  });

  it("answers GET /api/clv with the imported file's model: 202 while the warehouse's summaries are fetched and fitted, then 200", async () => {
    const ask = async () =>
      (await clvRoute.loader({
        request: new Request("http://campaign.lab/api/clv"),
        params: {},
        context: {},
      })) as Response;
    const first = await ask();
    expect(first.status).toBe(202);
    expect(first.headers.get("Retry-After")).toBe("2");
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
    const bad = (await clvRoute.loader({
      request: new Request("http://campaign.lab/api/clv?calibrationEnd=yesterday"),
      params: {},
      context: {},
    })) as Response;
    expect(bad.status).toBe(400);
  });

  it("answers GET /api/report/<name> with the imported file's figures, computed in PostgreSQL, and every CSV download byte for byte", async () => {
    const t = tempDb();
    try {
      const id = await importForTest(t.db, fixture("context-shop.csv"));
      setDatasetCurrency(t.db, id, "GBP"); // as the warehouse data set was added
      const facts = getFacts(t.db, id);
      const get = (name: ReportName, query = "") =>
        reportRoute.loader({
          request: new Request(`http://campaign.lab/api/report/${name}${query}`),
          params: { name },
          context: {},
        }) as Promise<Response>;
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
    const r = await post(reread.action, "/api/warehouse/reread", {});
    // a job, as POST /api/imports starts: its stages and, once done, its report come from GET /api/imports/:id
    expect(r.status).toBe(202);
    const started = (await r.json()) as ImportJob;
    expect(started).toMatchObject({ kind: "reread", fileName: "shop.lines", status: "running" });
    const { job, stages } = await finished(started);
    expect(job.error).toBeNull();
    expect(job.status).toBe("done");
    expect(stages.at(-1)).toBe("done");
    expect(job.report).toMatchObject({ id, linesRead: 15 });
    expect(customerCountries(db, id)).toContain("Iceland");
    expect(customerTotals(db, id, "19999")).toMatchObject({ sales: 25_500, returns: 0, cohortMonth: "2011-03" });
    expect(memberRows(db, id, [customerWhere("19999")])).toMatchObject([{ customerId: "19999", country: "Iceland" }]);
    // the history has the re-read; the same answer for the data set named
    expect(datasetHistory(db, id).map((h) => h.kind)).toEqual(["import", "update"]);
    const again = await post(reread.action, "/api/warehouse/reread", { dataset: id });
    expect(again.status).toBe(202);
    expect((await finished(await again.json())).job.report).toMatchObject({ id, linesRead: 15 });
  });
});

/** Polls GET /api/imports/:id until the job ends: its last state and the stages seen (the URL never in them). */
async function finished(started: ImportJob): Promise<{ job: ImportJob; stages: string[] }> {
  const stages: string[] = [];
  let job = started;
  for (let i = 0; i < 1200 && job.status === "running"; i++) {
    await new Promise((done) => setTimeout(done, 50));
    const polled = await jobRoute.loader({
      request: new Request(`http://campaign.lab/api/imports/${started.id}`),
      params: { id: started.id },
      context: {},
    });
    const text = await polled.text();
    expect(text).not.toContain("hunter2");
    job = JSON.parse(text);
    if (job.progress && stages.at(-1) !== job.progress.stage) stages.push(job.progress.stage);
  }
  return { job, stages };
}
