import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "~/db/db.server";
import { cli, ROOT } from "../support/cli";
import { fixture, snapshot, tempDb } from "../support/db";

describe("CLI", () => {
  let t: ReturnType<typeof tempDb>;
  beforeAll(() => {
    t = tempDb();
    t.db.$client.close();
  });
  afterAll(() => t.cleanup());
  const state = () => {
    const db = openDb(t.path);
    try {
      return snapshot(db);
    } finally {
      db.$client.close();
    }
  };

  it("import --json prints exactly one JSON object, the import report", () => {
    const r = cli(["import", fixture("online-retail-rules.csv"), "--db", t.path, "--json", "--workspace", "Rules"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    for (const key of [
      "linesRead",
      "rejectedLines",
      "duplicateLines",
      "cancellationLines",
      "invalidLines",
      "salesLines",
      "salesRevenue",
      "customerSalesLines",
      "customers",
      "invoices",
      "customerRevenue",
      "encoding",
      "format",
      "dateRange",
    ]) {
      expect(report).toHaveProperty(key);
    }
    expect(report).toMatchObject({
      dataset: "Rules",
      linesRead: 25,
      duplicateLines: 3,
      customerRevenue: 310.64,
      dateRange: ["2010-12-01T08:26:00", "2011-12-09T12:50:00"],
    });
  });

  it("an error is one line on stderr, a non-zero exit code, and an unchanged database", () => {
    const before = state();
    const r = cli(["import", fixture("online-retail-rules.csv"), "--db", t.path, "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errorLines).toEqual([expect.stringMatching(/^error: This file was already imported as "Rules"/)]);
    const bad = cli(["import", fixture("bad-date.csv"), "--db", t.path]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*line 11: unreadable date "2\/30\/2011 8:28"/);
    expect(state()).toEqual(before);
  });

  it("usage errors exit with 2", () => {
    expect(cli(["import"]).code).toBe(2);
    expect(cli(["import", "x.csv", "--bogus"]).stderr).toMatch(/error: Unknown option '--bogus'/);
    expect(cli(["frobnicate"]).stderr).toMatch(/unknown command "frobnicate"/);
    expect(cli(["import", fixture("mapped-no-invoice.csv"), "--date-format", "Julian", "--db", t.path]).stderr).toMatch(
      /--date-format "Julian" is not one of/,
    );
    expect(cli(["import", fixture("mapped-no-invoice.csv"), "--map", "shoe=size", "--db", t.path]).stderr).toMatch(
      /Unknown field "shoe"/,
    );
  });

  it("--map and --date-format import a mapped file; the summary goes to stdout and progress to stderr", () => {
    const r = cli([
      "import",
      fixture("mapped-no-invoice.csv"),
      "--db",
      t.path,
      "--map",
      "customer=customer_id",
      "--map",
      "date=date",
      "--map",
      "amount=dollars",
      "--date-format",
      "YYYYMMDD",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Imported "mapped-no-invoice.csv" as data set "mapped-no-invoice"/);
    expect(r.stdout).toMatch(/customers\s+4/);
    expect(r.stderr).toMatch(/Importing .*mapped-no-invoice.csv: reading 100% \(8 lines\)/);
  });

  it("through npm run -s cli, stdout carries only the JSON", () => {
    const r = spawnSync(
      "npm",
      ["run", "-s", "cli", "--", "import", fixture("online-retail-ii.csv"), "--db", t.path, "--json"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "online-retail-ii", linesRead: 6 });
  });

  it("seed --out writes a deterministic Online Retail file; seed without --out imports it", () => {
    const a = join(t.dir, "a.csv");
    const b = join(t.dir, "b.csv");
    expect(cli(["seed", "--lines", "3000", "--seed", "11", "--out", a]).code).toBe(0);
    expect(cli(["seed", "--lines", "3000", "--seed", "11", "--out", b]).code).toBe(0);
    const digest = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
    expect(digest(a)).toBe(digest(b));
    const text = readFileSync(a).toString("latin1");
    expect(
      text.startsWith("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n"),
    ).toBe(true);
    expect(text.trimEnd().split("\r\n")).toHaveLength(3001);
    const r = cli(["seed", "--lines", "3000", "--seed", "11", "--db", t.path, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: "Demo shop", linesRead: 3000, rejectedLines: 0 });
  });
});

describe("CLI report", () => {
  let t: ReturnType<typeof tempDb>;
  beforeAll(async () => {
    t = tempDb();
    t.db.$client.close();
    expect(cli(["import", fixture("context-shop.csv"), "--db", t.path]).code).toBe(0);
  });
  afterAll(() => t.cleanup());

  it("report monthly --json prints { monthly: [...] } as defined", () => {
    const r = cli(["report", "monthly", "--db", t.path, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.monthly).toHaveLength(5);
    expect(out.monthly[1]).toEqual({
      month: "2011-02",
      revenue: 225,
      orders: 2,
      customers: 1,
      newCustomers: 1,
      returningCustomers: 0,
      days: 28,
      daysInMonth: 28,
      partial: false,
    });
    expect(out.monthly[3]).toEqual({
      month: "2011-04",
      revenue: 0,
      orders: 0,
      customers: 0,
      newCustomers: 0,
      returningCustomers: 0,
      days: 30,
      daysInMonth: 30,
      partial: false,
    });
    expect(out.monthly[4]).toMatchObject({ month: "2011-05", days: 20, daysInMonth: 31, partial: true }); // the data ends on 20 May
  });

  it("report cohorts --json with a filter prints { cohorts: [...] }", () => {
    const r = cli(["report", "cohorts", "--db", t.path, "--json", "--country", "France"]);
    const out = JSON.parse(r.stdout);
    expect(out.filter).toEqual({ from: "2011-01-03", to: "2011-05-20", country: "France" });
    expect(out.cohorts.filter((c: { size: number }) => c.size > 0)).toEqual([
      { month: "2011-03", size: 1, active: [1, 0, 1], revenue: [60, 0, 40] },
    ]);
  });

  it("prints readable tables without --json", () => {
    const r = cli(["report", "countries", "--db", t.path, "--from", "2011-01-01", "--to", "2011-01-31"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^countries\ncountry\s+revenue \(GBP\)\s+share\s+customers\s+orders\s+average_order_value \(GBP\)\nUnited Kingdom\s+160\s+0\.6667/,
    );
  });

  it("refuses an unknown report, a bad date and an empty database", () => {
    expect(cli(["report", "weather", "--db", t.path]).code).toBe(2);
    const bad = cli(["report", "monthly", "--from", "2011-02-30", "--db", t.path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: invalid filter: from: is not a real date/);
    const empty = join(t.dir, "empty.db");
    const none = cli(["report", "overview", "--db", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error: No data set yet/);
  });
});

describe("CLI power", () => {
  it("sizes a test, gives the power at n, and the MDE at n (published anchors)", () => {
    const size = JSON.parse(cli(["power", "--baseline", "0.05", "--mde", "0.005", "--json"]).stdout);
    expect(size).toMatchObject({
      nControl: 31_234,
      nTreatment: 31_234,
      nTotal: 62_468,
      method: "pooled",
      alphaPerComparison: 0.05,
    });
    const power = JSON.parse(cli(["power", "--baseline", "0.05", "--mde", "0.005", "--n", "10000", "--json"]).stdout);
    expect(power.power).toBeCloseTo(0.3541075, 7);
    const mde = JSON.parse(cli(["power", "--baseline", "0.05", "--n", "10000", "--json"]).stdout);
    expect(0.05 + mde.mdeAbsolute).toBeCloseTo(0.05899308591, 9); // R with uniroot(tol = 1e-12)
    const t = JSON.parse(cli(["power", "--metric", "mean", "--sd", "5", "--mde", "1", "--json"]).stdout);
    expect(t).toMatchObject({ nControl: 394, method: "t" });
    const arms = JSON.parse(
      cli(["power", "--baseline", "0.2", "--mde", "0.25", "--relative", "--arms", "3", "--ratio", "2", "--json"])
        .stdout,
    );
    expect(arms.alphaPerComparison).toBeCloseTo(0.05 / 3, 12);
    expect(arms.nTotal).toBe(arms.nControl + 3 * arms.nTreatment);
  });

  it("takes an array of inputs from --input FILE.json", () => {
    const t = tempDb();
    try {
      const file = join(t.dir, "inputs.json");
      writeFileSync(
        file,
        JSON.stringify([
          { baseline: 0.02, mde: 0.004 },
          { baseline: 0.2, mde: 0.05 },
          { baseline: 0.05, mde: 0.005, method: "arcsine" },
        ]),
      );
      const out = JSON.parse(cli(["power", "--input", file]).stdout);
      expect(out.map((r: { nControl: number }) => r.nControl)).toEqual([21_109, 1_094, 31_218]);
    } finally {
      t.cleanup();
    }
  });

  it("refuses invalid input with a clear message and exit code 2", () => {
    const cases: [string[], RegExp][] = [
      [["--baseline", "0.05", "--mde", "0.01", "--alpha", "0.7"], /alpha must be in \(0, 0.5\]/],
      [["--baseline", "0.05", "--mde", "0.01", "--power", "1"], /power must be at most 0\.999999999/],
      [["--baseline", "1.2", "--mde", "0.01"], /baseline must be a proportion between 0 and 1/],
      [["--baseline", "0.95", "--mde", "0.1"], /the mde moves the rate to 1.05, outside \(0, 1\)/],
      [["--metric", "mean", "--sd", "0", "--mde", "1"], /sd must be above 0/],
      [["--baseline", "0.05", "--n", "1"], /n must be at least 2/],
      [["--baseline", "0.05"], /give mde .* or n/],
      [["--baseline", "abc", "--mde", "0.01"], /--baseline expects a number/],
    ];
    for (const [args, message] of cases) {
      const r = cli(["power", ...args, "--json"]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });
});
