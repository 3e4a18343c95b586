import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { audienceMembers, audienceSize, saveAudience, listAudiences } from "~/segments/audiences.server";
import { deleteAudience } from "~/segments/store.server";
import { choosePersonaK, computeSegments } from "~/segments/compute.server";
import { nearest } from "~/segments/kmeans";
import { customerDetail, memberPage, personaClusters, segmentRun } from "~/segments/queries.server";
import { segmentsReport } from "~/segments/report.server";
import { writeDemoCsv } from "../../seed/generate";
import { cli } from "../support/cli";
import { fixture, importForTest, tempDb } from "../support/db";

// context-shop.csv, snapshot 2011-05-20. Worked by hand (numpy-style linear percentiles over 4 customers):
//   recency   A 71, B 100, C 125, D 0   → breakpoints 42.6, 76.8, 94.2, 110 → R: A 4, B 2, C 1, D 5
//   frequency A 3, B 2, C 1, D 2        → breakpoints 1.6, 2, 2, 2.4 (ties!) → F: A 5, B 2, C 1, D 2
//   monetary  net of returns (issue 14): A 180 − 15 = 165, B 225 − 20 = 205, C 80, D 100
//             → breakpoints 92, 113, 152, 181 → M: A 4, B 5, C 1, D 2
//   segments: A R4 FM5 Champions; B R2 FM4 At Risk; C R1 FM1 Lost; D R5 FM2 Potential Loyalists
describe("RFM on the hand-made shop", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    id = await importForTest(t.db, fixture("context-shop.csv"));
  });
  afterAll(() => t.cleanup());

  it("scores every customer as worked out by hand, ties included", () => {
    const rows = t.db.$client
      .prepare(
        "SELECT customer_id, recency, frequency, monetary, r, f, m, segment FROM customer_rfm ORDER BY customer_id",
      )
      .all();
    expect(rows).toEqual([
      { customer_id: "10001", recency: 71, frequency: 3, monetary: 165_000, r: 4, f: 5, m: 4, segment: "Champions" },
      { customer_id: "10002", recency: 100, frequency: 2, monetary: 205_000, r: 2, f: 2, m: 5, segment: "At Risk" },
      { customer_id: "10003", recency: 125, frequency: 1, monetary: 80_000, r: 1, f: 1, m: 1, segment: "Lost" },
      {
        customer_id: "10004",
        recency: 0,
        frequency: 2,
        monetary: 100_000,
        r: 5,
        f: 2,
        m: 2,
        segment: "Potential Loyalists",
      },
    ]);
    const run = segmentRun(t.db, id);
    expect(run.snapshotDate).toBe("2011-05-20");
    expect(run.cuts.recency.map((c) => Math.round(c * 1e9) / 1e9)).toEqual([42.6, 76.8, 94.2, 110]);
    expect(run.cuts.frequency.map((c) => Math.round(c * 1e9) / 1e9)).toEqual([1.6, 2, 2, 2.4]);
    expect(run.cuts.monetary.map((c) => Math.round(c * 1e9) / 1e9)).toEqual([92, 113, 152, 181]);
  });

  it("reports the contract of segments --json", () => {
    const r = segmentsReport(t.db, id);
    expect(r).toMatchObject({
      snapshotDate: "2011-05-20",
      customers: 4,
      scores: { R: { "1": 1, "2": 1, "3": 0, "4": 1, "5": 1 }, F: { "1": 1, "2": 2, "5": 1 } },
    });
    expect(r.segments.find((s) => s.name === "At Risk")).toMatchObject({ customers: 1, revenue: 205 }); // net of B's 20 return
    expect(r.personas.sweep.map((s) => s.k)).toEqual([2, 3]); // k < number of customers
  });

  it("shows a customer with scores, segment, orders and returns", () => {
    const d = customerDetail(t.db, id, "10002")!;
    expect(d.rfm).toMatchObject({
      code: "225",
      segment: "At Risk",
      sales: 225,
      monetary: 205,
      returnOrders: 1,
      returns: 20,
    });
    expect(d.orders.map((o) => [o.invoice, o.kind, o.amount])).toEqual([
      ["C900", "return", -20],
      ["504", "sale", 200],
      ["505", "sale", 25],
    ]);
    expect(customerDetail(t.db, id, "99999")).toBeNull();
  });

  it("sizes audiences of each kind live", () => {
    expect(audienceSize(t.db, id, { kind: "segment", segment: "Lost" })).toEqual({ customers: 1, revenue: 80 });
    const filter = { kind: "filter" as const, countries: ["United Kingdom"], monetary: { min: 100 } };
    expect(audienceSize(t.db, id, filter)).toEqual({ customers: 2, revenue: 370 }); // A 165 + B 205, net
    expect(audienceMembers(t.db, id, filter)).toEqual(["10001", "10002"]);
    expect(
      audienceSize(t.db, id, { kind: "filter", recency: { max: 80 }, segments: ["Champions", "Potential Loyalists"] }),
    ).toEqual({ customers: 2, revenue: 265 }); // A 165 + D 100
    const saved = saveAudience(t.db, id, { name: "UK spenders", definition: filter });
    expect(listAudiences(t.db, id)).toMatchObject([
      { id: saved, name: "UK spenders", kind: "filter", customers: 2, revenue: 370 },
    ]);
    saveAudience(t.db, id, { name: "UK big spenders", definition: { ...filter, monetary: { min: 200 } } }, saved);
    expect(listAudiences(t.db, id)).toMatchObject([{ id: saved, name: "UK big spenders", customers: 1 }]);
    expect(deleteAudience(t.db, saved)).toBe(true);
    expect(listAudiences(t.db, id)).toEqual([]);
  });

  it("pages, sorts and searches members in SQL", () => {
    const page = memberPage(t.db, id, { sort: "recency", descending: false, pageSize: 2, page: 2 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.customerId)).toEqual(["10002", "10003"]);
    expect(memberPage(t.db, id, { search: "Germ" }).rows.map((r) => r.customerId)).toEqual(["10003"]);
    expect(memberPage(t.db, id, { cell: { r: 4, fm: 5 } }).rows.map((r) => r.customerId)).toEqual(["10001"]);
    expect(memberPage(t.db, id, { search: "%" }).total).toBe(0); // LIKE wildcards are escaped
  });
});

describe("personas on demo data", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    const file = join(t.dir, "demo.csv");
    await writeDemoCsv(file, { lines: 60_000, seed: 5 });
    id = await importForTest(t.db, file);
  });
  afterAll(() => t.cleanup());
  const snapshot = () => t.db.$client.prepare("SELECT k, inertia, silhouette FROM persona_runs ORDER BY k").all();

  it("sweeps k = 2…10 with unique names per k, proposing the best silhouette", () => {
    const sweep = snapshot() as { k: number; silhouette: number }[];
    expect(sweep.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const run = segmentRun(t.db, id);
    expect(run.bestK).toBe(sweep.reduce((a, b) => (b.silhouette > a.silhouette ? b : a)).k);
    for (let k = 2; k <= 10; k++) {
      const clusters = personaClusters(t.db, id, k);
      expect(new Set(clusters.map((c) => c.name)).size).toBe(k);
      expect(clusters.reduce((s, c) => s + c.customers, 0)).toBe(480);
    }
  });

  it("is reproducible: the same data gives the same personas", () => {
    const before = snapshot();
    const names = personaClusters(t.db, id, 5).map((c) => c.name);
    computeSegments(t.db, id);
    expect(snapshot()).toEqual(before);
    expect(personaClusters(t.db, id, 5).map((c) => c.name)).toEqual(names);
  });

  it("relabels customers by nearest centroid when the user chooses another k, and stores the choice", () => {
    choosePersonaK(t.db, id, 4);
    expect(segmentRun(t.db, id).chosenK).toBe(4);
    const centroids = personaClusters(t.db, id, 4).map((c) => c.centroid);
    const rows = t.db.$client
      .prepare("SELECT persona, z_recency, z_frequency, z_monetary FROM customer_rfm")
      .raw()
      .all() as number[][];
    for (const [persona, a, b, c] of rows) expect(persona).toBe(nearest([a, b, c], centroids));
    const counts = t.db.$client
      .prepare("SELECT persona, COUNT(*) n FROM customer_rfm GROUP BY persona ORDER BY persona")
      .all() as { n: number }[];
    expect(counts.map((c) => c.n)).toEqual(personaClusters(t.db, id, 4).map((c) => c.customers));
    // the relabelling runs in SQL (one UPDATE): the same labels as kmeans.ts nearest for every k of the sweep
    for (let k = 2; k <= 10; k++) {
      choosePersonaK(t.db, id, k);
      const ks = personaClusters(t.db, id, k).map((c) => c.centroid);
      const labelled = t.db.$client
        .prepare("SELECT persona, z_recency, z_frequency, z_monetary FROM customer_rfm WHERE dataset_id = ?")
        .raw()
        .all(id) as number[][];
      expect(labelled.map(([p]) => p)).toEqual(labelled.map(([, a, b, c]) => nearest([a, b, c], ks)));
    }
    choosePersonaK(t.db, id, 4);
  });

  it("CLI: segments --json, --k and --members", () => {
    t.db.$client.close();
    const json = cli(["segments", "--db", t.path, "--json", "--k", "3"]);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(["snapshotDate", "customers", "scores", "segments", "personas"]),
    );
    expect(out.personas.chosenK).toBe(3);
    expect(out.personas.clusters).toHaveLength(3);
    expect(out.personas.clusters[0]).toEqual({
      name: expect.any(String),
      customers: expect.any(Number),
      revenue: expect.any(Number),
      centroid: [expect.any(Number), expect.any(Number), expect.any(Number)],
      medianRecency: expect.any(Number),
      medianFrequency: expect.any(Number),
      medianMonetary: expect.any(Number),
    });
    const members = cli(["segments", "--db", t.path, "--members"]);
    const lines = members.stdout.trim().split("\r\n");
    expect(lines[0]).toBe("CustomerID,Recency,Frequency,Monetary (GBP),R,F,M,RFM,Segment,Persona");
    expect(lines).toHaveLength(481);
    expect(cli(["segments", "--db", t.path, "--k", "11"]).code).toBe(2);
  });
});
