import { describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { saveAudience } from "~/segments/audiences.server";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";
import { cli } from "../support/cli";
import { fixture } from "../support/db";

// Issue 13 in a real browser: a running experiment on the fixture shop has interim measured results (day 3 of 7);
// adding newer transactions on the Data page measures it again, and its results page and over-time chart change.
const SHOP = fixture("measured-shop.csv");

describe("measured results follow a data set update", () => {
  const app = useApp(
    { DEMO_DATA: "off" },
    {
      prepare: (path) => {
        expect(cli(["import", SHOP, "--workspace", "shop", "--until", "2011-01-10", "--db", path]).code).toBe(0);
        const db = openDb(path);
        try {
          const datasetId = db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
          const audience = saveAudience(db, datasetId, { name: "Everyone", definition: { kind: "filter" } });
          const id = saveExperiment(db, datasetId, {
            ...DEFAULT_DESIGN,
            name: "Fixture test",
            audience: { kind: "audience", id: audience },
            windowDays: 7,
          });
          startExperiment(db, id, { minPerArm: 0 }); // an 8-customer fixture shop: below the floor of 30 on purpose (tests only)
        } finally {
          db.$client.close();
        }
        // the first newer days arrive: measured at day 3 of 7
        expect(
          JSON.parse(cli(["import", SHOP, "--update", "shop", "--until", "2011-01-13", "--db", path, "--json"]).stdout)
            .remeasured,
        ).toEqual([1]);
      },
    },
  );

  /**
   * The over-time chart has `days` measured days and a point per day with a lift, at the treatment's lift of
   * over-time.csv (clipped to −100% … +300% as the chart's axis), its x at the day.
   */
  const expectOverTime = async (days: number) => {
    await expect(app.page.getByTestId("over-time-chart").getAttribute("data-days")).resolves.toBe(String(days));
    const csv = (await (await fetch(`${app.url}/experiments/1/over-time.csv`)).text()).trim().split("\r\n");
    const treatment = csv
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => r[2] === "Treatment" && r[6] !== "");
    expect(csv.slice(1).filter((l) => l.split(",")[2] === "Treatment")).toHaveLength(days);
    expect(treatment.length).toBeGreaterThan(1);
    const chart = await drawn(app.page, "over-time-chart");
    expect(chart.points).toBe(treatment.length);
    expect(chart.lines).toHaveLength(1);
    expectLinear(
      treatment.map((r) => Math.max(-1, Math.min(3, Number(r[6])))),
      chart.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    expectLinear(
      treatment.map((r) => Number(r[0])),
      chart.lines[0].map((p) => p.x),
    );
  };

  it("shows interim results, then, after 'Add newer transactions', the final ones and a longer over-time chart", async () => {
    const { page, url } = app;
    await page.goto(`${url}/experiments/1/results`);
    await expect(page.getByTestId("measured-days").innerText()).resolves.toMatch(
      /Day 3 of 7 observed, through 2011-01-13/,
    );
    await expectOverTime(3);
    expect(await page.getByTestId("complete-measured").count()).toBe(0); // no completion before day W

    // the newer transactions, kept up to 2011-01-15 ("Keep lines up to"), then the whole file
    const addNewer = async (until: string | null) => {
      await page.goto(`${url}/data`);
      await page.getByRole("button", { name: "Add newer transactions" }).click();
      const dialog = page.getByRole("dialog");
      if (until) await dialog.getByTestId("until").fill(until);
      await dialog.locator("input[type=file]").setInputFiles(SHOP);
      const report = dialog.getByTestId("update-report");
      await report.waitFor({ timeout: 60_000 });
      const text = await report.innerText();
      await page.keyboard.press("Escape");
      return text;
    };
    const partial = await addNewer("2011-01-15");
    expect(partial).toMatch(/LINES ADDED\s+2/i); // 01-14 cancellation, 01-15 sale (its duplicate dropped)
    expect(partial).toMatch(/Kept up to 2011-01-15: 4 later lines left out/);
    await page.goto(`${url}/experiments/1/results`);
    await expect(page.getByTestId("measured-days").innerText()).resolves.toMatch(
      /Day 5 of 7 observed, through 2011-01-15/,
    );
    await expect(page.getByTestId("over-time-chart").getAttribute("data-days")).resolves.toBe("5");

    const text = await addNewer(null);
    expect(text).toMatch(/LINES ADDED\s+4/i); // after 2011-01-15 12:00: 01-16 (two lines), 01-17, 01-18
    expect(text).toMatch(/OVERLAP MATCHED\s+20/i);
    expect(text).toMatch(/Measured again: experiment #1/);
    await page.getByRole("button", { name: "Report" }).first().click();
    await expect(page.getByTestId("dataset-history").innerText()).resolves.toMatch(
      /import[\s\S]*update[\s\S]*update[\s\S]*update/,
    );

    await page.goto(`${url}/experiments/1/results`);
    await expect(page.getByTestId("measured-days").innerText()).resolves.toMatch(
      /Day 7 of 7 observed, through 2011-01-17/,
    );
    await expectOverTime(7);
    expect(await page.getByTestId("over-time-chart").locator("[data-testid=over-time-band]").count()).toBe(1);
    expect(await page.getByTestId("over-time-table").locator("tbody tr").count()).toBe(7);
    await page.getByTestId("complete-measured").waitFor();
    // the button names the decision it records (one of the three), not the analysis' verdict
    expect(await page.getByTestId("complete-measured").innerText()).toMatch(
      /^Complete the experiment as (Ship|Don't ship|Inconclusive)$/,
    );
  });
});
