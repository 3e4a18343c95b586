import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dayNumber } from "~/analytics/facts";
import { getFacts } from "~/analytics/facts.server";
import { importAndDerive } from "~/derive/derive.server";
import { summarise } from "~/planning/summaries";
import { cli } from "../support/cli";
import { fixture, tempDb } from "../support/db";

// The CDNOW sample through the real import (mapped: customer = sample_id, date = date, quantity = cds, amount =
// dollars; zero-amount lines are invalid) summarised at 1997-09-30 gives the published summary.
describe("CLV summaries on CDNOW", () => {
  let t: ReturnType<typeof tempDb>;
  let datasetId: number;
  beforeAll(async () => {
    t = tempDb();
    const report = await importAndDerive(t.db, fixture("cdnow_sample.csv"), {
      map: { customer: "sample_id", date: "date", quantity: "cds", amount: "dollars" },
      currency: "USD",
    });
    expect(report).toMatchObject({ linesRead: 6919, invalidLines: 8, customers: 2349 });
    datasetId = t.db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
  });
  afterAll(() => t.cleanup());

  it("reproduces x exactly and t_x, T to their 2-decimal rounding for the customers without zero-amount purchases", () => {
    const published = new Map(
      readFileSync(fixture("cdnow_summary.csv"), "utf8")
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(","))
        .map(([id, x, tx, T]) => [id, { x: +x, tx: +tx, T: +T }]),
    );
    const zeroAmount = new Set(
      readFileSync(fixture("cdnow_sample.csv"), "utf8")
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(","))
        .filter((f) => Number(f[4]) === 0)
        .map((f) => f[1]),
    );
    const ours = summarise(getFacts(t.db, datasetId), dayNumber("1997-09-30")).filter(
      (s) => !zeroAmount.has(s.customerId),
    );
    let checked = 0;
    for (const s of ours) {
      const p = published.get(String(Number(s.customerId)));
      expect(p, s.customerId).toBeDefined();
      expect(s.x).toBe(p!.x);
      expect(Math.abs(s.tx - p!.tx)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(s.T - p!.T)).toBeLessThanOrEqual(0.005 + 1e-9);
      checked++;
    }
    expect(checked).toBeGreaterThan(2300);
  });

  it("CLI clv --json fits both models; --customers writes the per-customer CSV", () => {
    t.db.$client.pragma("wal_checkpoint(FULL)");
    const r = cli(["clv", "--calibration-end", "1997-09-30", "--db", t.path, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ calibrationEnd: "1997-09-30", customers: 2349 });
    expect(Object.keys(out.bgnbd)).toEqual(["r", "alpha", "a", "b", "logLikelihood"]);
    expect(out.bgnbd.r).toBeCloseTo(0.24, 2);
    expect(out.gammaGamma.p).toBeCloseTo(6.25, 1);
    const csv = cli(["clv", "--calibration-end", "1997-09-30", "--db", t.path, "--customers"])
      .stdout.trim()
      .split("\r\n");
    // money columns name the data set's currency (issue 14)
    expect(csv[0]).toBe(
      "customer_id,segment_at_calibration_end,persona,x,t_x,T,revenue_to_date (USD),orders,active_months,p_alive,purchases_30d,purchases_90d,purchases_365d,expected_order_value (USD),expected_revenue_365d (USD),holdout_purchases",
    );
    expect(csv).toHaveLength(2350);
    expect(cli(["clv", "--calibration-end", "1997-02-30", "--db", t.path]).code).toBe(2);
  });

  it("CLI plan allocates a budget from a JSON file and refuses bad input", () => {
    const file = join(t.dir, "candidates.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          name: "A",
          audience: 100,
          costPerContact: 1,
          valuePerCustomer: 50,
          lift: 0.1,
          grossMargin: 0.5,
          discountShare: 0,
        },
        {
          name: "B",
          audience: 100,
          costPerContact: 2,
          valuePerCustomer: 50,
          lift: 0.2,
          grossMargin: 0.5,
          discountShare: 0,
        },
      ]),
    );
    const out = JSON.parse(cli(["plan", "--budget", "150", "--input", file, "--json"]).stdout);
    expect(out.allocations.map((a: { contacts: number }) => a.contacts)).toEqual([100, 25]);
    expect(out.expectedProfit).toBeCloseTo(225, 9);
    writeFileSync(
      file,
      JSON.stringify([
        {
          name: "A",
          audience: 100,
          costPerContact: -1,
          valuePerCustomer: 50,
          lift: 0.1,
          grossMargin: 0.5,
          discountShare: 0,
        },
      ]),
    );
    const bad = cli(["plan", "--budget", "150", "--input", file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cost per contact cannot be negative/);
    expect(cli(["plan", "--budget", "lots", "--input", file]).stderr).toMatch(/--budget expects a number/);
  });
});
