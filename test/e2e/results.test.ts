import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";
import { saveDraft, startOpenDraft } from "../support/experiment-ui";

// Recording results in a real browser: a simulation from history, an upload with problems, the decision and the report.
describe("experiment results", () => {
  const app = useApp({ DEMO_LINES: "80000" });
  let id: string;

  beforeAll(async () => {
    const page = app.page;
    // a running experiment on the Champions segment
    id = await saveDraft(page, app.url, "Champions early access", "Champions");
    await startOpenDraft(page);
  });

  /**
   * The intervals chart draws one interval per treatment and metric that has a relative lift in report.csv, on the row
   * labelled "<arm> · <metric>": its lower end, estimate and upper end at report.csv's figures (in %, an open or
   * far end at the axis's edge, as the chart says), on one linear axis.
   */
  const expectIntervals = async () => {
    const names = {
      conversion: "Conversion",
      revenue: "Revenue per customer",
      aov: "Average order value",
      refundRate: "Refund rate",
    };
    const csv = (await (await fetch(`${app.url}/experiments/${id}/report.csv`)).text()).split("\r\n");
    const figure = (item: string) => {
      const row = csv.find((l) => l.startsWith(`lift,${item},`));
      const v = row?.slice(`lift,${item},`.length);
      return v === undefined || v === "" ? null : Number(v);
    };
    const rows = Object.entries(names).flatMap(([key, name]) => {
      const estimate = figure(`Treatment ${key} relative`);
      return estimate === null
        ? []
        : [
            {
              label: `Treatment · ${name}`,
              lo: figure(`Treatment ${key} relative ci low`),
              estimate,
              hi: figure(`Treatment ${key} relative ci high`),
            },
          ];
    });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const chart = await drawn(app.page, "chart-intervals");
    expect(chart.lines).toHaveLength(rows.length);
    const extent = Math.max(
      5,
      ...rows
        .flatMap((r) => [r.lo, r.estimate, r.hi])
        .filter((v): v is number => v !== null)
        .map((v) => Math.abs(v) * 100),
    );
    const edge = Math.min(extent, 100) * 1.1;
    const at = (v: number | null, open: number) => (v === null ? open : Math.max(-edge, Math.min(edge, v * 100)));
    const values: number[] = [];
    const pixels: number[] = [];
    for (const r of rows) {
      // the row's tick label sits at the height of its interval
      const tick = chart.anchors.find((a) => a.text === r.label);
      expect(tick, r.label).toBeDefined();
      const line = chart.lines.find((l) => l.every((p) => Math.abs(p.y - tick!.y) < 0.5));
      expect(line, r.label).toBeDefined();
      expect(line).toHaveLength(3);
      values.push(at(r.lo, -edge), at(r.estimate, 0), at(r.hi, edge));
      pixels.push(...line!.map((p) => p.x));
    }
    expectLinear(values, pixels);
  };

  it("says there is nothing to measure yet, beside a disabled button, while the data ends on the start day", async () => {
    await app.page.goto(`${app.url}/experiments/${id}/results`);
    await app.page.getByTestId("measure-blocked").waitFor();
    expect(await app.page.getByTestId("measure-blocked").innerText()).toMatch(
      /^Nothing to measure yet: the data ends on \d{4}-\d\d-\d\d, the start day\. Add newer transactions/,
    );
    expect(await app.page.getByTestId("measure").isDisabled()).toBe(true);
  });

  it("simulates results and shows the decision card, intervals, guardrails and CUPED", async () => {
    await app.page.goto(`${app.url}/experiments/${id}/results`);
    // measuring from the data is the first tab; a rehearsal is chosen on purpose
    await app.page.getByRole("tab", { name: "Rehearse: simulate from history" }).click();
    await app.page.getByLabel("Treatment: conversion lift (%)").fill("10");
    await app.page.getByRole("button", { name: "Simulate" }).click();
    await app.page.waitForURL(/recorded=simulate/);
    const decision = app.page.getByTestId("decision");
    await decision.waitFor();
    // a simulation is a rehearsal, labelled as such, and leaves the experiment running (issue 16)
    expect(await app.page.getByTestId("rehearsal-badge").innerText()).toBe("REHEARSAL (SIMULATED)");
    expect(await app.page.getByTestId("rehearsal-banner").innerText()).toMatch(/not a result/);
    expect(await decision.innerText()).toMatch(/^(Ship|Don't ship|Keep running|Stop: can't be decided)/);
    expect(await decision.innerText()).toMatch(
      /Treatment: conversion [+-]?\d+\.\d+% \(95% confidence interval (below -100%|[+-]?\d+\.\d+%) to [+-]?\d+\.\d+%\), p /,
    );
    await expectIntervals();
    expect(await app.page.getByTestId("arms-table").locator("tbody tr").count()).toBe(2);
    expect(await app.page.getByTestId("cuped").innerText()).toMatch(/variance reduction \d+\.\d%/);
    // every guardrail verdict badge ("NOT YET CONCLUSIVE" ran past the card's edge at 1280 px), at 1280 and 1440 px
    for (const width of [1280, 1440]) {
      await app.page.setViewportSize({ width, height: 900 });
      const overflow = await app.page.getByTestId("guardrails").evaluate((table) => {
        const card = table.closest(".mantine-Card-root")!.getBoundingClientRect();
        return [...table.querySelectorAll(".mantine-Badge-root")].map(
          (b) => b.getBoundingClientRect().right - card.right,
        );
      });
      expect(overflow.length).toBeGreaterThan(0);
      for (const px of overflow) expect(px).toBeLessThanOrEqual(0);
    }
    await app.page.setViewportSize({ width: 1280, height: 900 });
  });

  it("opens the printable report and downloads it as CSV and JSON", async () => {
    await app.page.getByRole("link", { name: "Open the report" }).click();
    await app.page.waitForURL(/\/report$/);
    expect(await app.page.getByTestId("report-title").innerText()).toBe(
      "REHEARSAL (simulated): Champions early access",
    );
    expect(await app.page.title()).toMatch(/^REHEARSAL \(simulated\) · Report/);
    // the header's parts joined with " · ", none left dangling at the end
    expect(await app.page.getByTestId("report-subtitle").innerText()).toMatch(/ · version \d+$/);
    const report = await app.page.getByTestId("report").innerText();
    expect(report).toContain("Champions early access");
    expect(report).toMatch(/Methods/);
    const csv = await (await fetch(`${app.url}/experiments/${id}/report.csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("section,item,value");
    expect(csv).toMatch(/decision,verdict,(ship|dont-ship|keep-running|cannot-decide)/);
    const json = await (await fetch(`${app.url}/experiments/${id}/report.json`)).json();
    expect(json.results).toMatchObject({ source: "simulation", rehearsal: true });
    expect(csv.split("\r\n")[1]).toBe("results,REHEARSAL,simulated: not a result");
  });

  it("refuses an upload that does not match the assignment, then accepts it with the problems listed", async () => {
    const assignment = (await (await fetch(`${app.url}/experiments/${id}/assignment.csv`)).text())
      .trim()
      .split("\r\n")
      .slice(1);
    const lines = [
      "customer_id,arm,converted,revenue,orders,refunded",
      ...assignment.map((l, i) => `${l},${i % 2},${i % 2 ? 35.5 : 0},${i % 2},0`),
      "NOT-A-CUSTOMER,Control,1,10,1,0",
    ];
    const file = join(app.dir, "results.csv");
    writeFileSync(file, lines.join("\n"));
    await app.page.goto(`${app.url}/experiments/${id}/results`);
    await app.page.getByRole("tab", { name: "Upload per-customer results" }).click();
    await app.page.locator("input[type=file][name=file]").setInputFiles(file);
    await app.page.getByRole("button", { name: "Upload" }).click();
    await app.page.getByTestId("results-error").waitFor();
    expect(await app.page.getByTestId("results-error").innerText()).toMatch(
      /1 line\(s\) do not match the assignment .*NOT-A-CUSTOMER: not in the experiment's assignment/,
    );
    await app.page.getByRole("tab", { name: "Upload per-customer results" }).click();
    await app.page.locator("input[type=file][name=file]").setInputFiles(file);
    await app.page.getByLabel("Accept with the problem lines left out and reported").check();
    await app.page.getByRole("button", { name: "Upload" }).click();
    await app.page.waitForURL(/recorded=upload/);
    expect(await app.page.getByTestId("upload-problems").innerText()).toMatch(
      /NOT-A-CUSTOMER: not in the experiment's assignment/,
    );
    const n = assignment.length;
    expect(await app.page.getByTestId("upload-accounting").innerText()).toMatch(
      new RegExp(
        `Assigned ${n} · lines in the file ${n + 1} · accepted ${n} · absent from the file 0 \\(counted as non-buyers: 0\\) · refused lines 1`,
      ),
    );
    // real results replace the rehearsal
    expect(await app.page.getByTestId("rehearsal-badge").count()).toBe(0);
    await app.page.getByTestId("decision").waitFor();
  });
});
