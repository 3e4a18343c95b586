import { describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import type { Design } from "~/experiments/design";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { assignmentCounts } from "~/experiments/store.server";
import { recordAggregates } from "~/experiments/results.server";
import type { SegmentName } from "~/segments/rfm";
import { useApp } from "../support/app";
import { cli } from "../support/cli";

// The decision card in each outcome (issue #11), in a real browser on demo data: typed counts per arm, as many users
// as the frozen assignment holds unless said otherwise. Typed counts carry no per-customer spread, so the refund-rate
// and AOV guardrails show as "not measurable" with the reason.
const ids: Record<string, number> = {};

describe("decision card", () => {
  const app = useApp(
    { DEMO_DATA: "off" },
    {
      prepare: (path) => {
        expect(cli(["seed", "--lines", "200000", "--db", path]).code).toBe(0);
        const db = openDb(path);
        try {
          const datasetId = db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
          const largest = db.$client
            .prepare(
              "SELECT segment FROM customer_rfm WHERE dataset_id = ? GROUP BY segment ORDER BY COUNT(*) DESC LIMIT 1",
            )
            .pluck()
            .get(datasetId) as SegmentName;
          const create = (
            name: string,
            segment: SegmentName,
            stats: Partial<Design["stats"]>,
            rates: [number, number],
            share = 1,
          ) => {
            const id = saveExperiment(db, datasetId, {
              ...DEFAULT_DESIGN,
              name,
              audience: { kind: "segment", segment },
              stats: { ...DEFAULT_DESIGN.stats, ...stats },
            });
            startExperiment(db, id);
            const arm = (n: number, rate: number) => {
              const users = Math.max(2, Math.floor(n * share));
              const conversions = Math.round(users * rate);
              return {
                users,
                conversions,
                revenueSum: conversions * 30,
                revenueSquares: conversions * 1200,
                orders: conversions,
                refunded: 0,
              };
            };
            const counts = assignmentCounts(db, id);
            recordAggregates(db, id, [arm(counts[0], rates[0]), arm(counts[1], rates[1])]);
            ids[name] = id;
          };
          create("Ship", "At Risk", {}, [0.2, 0.45]);
          create("Dont", "At Risk", {}, [0.45, 0.2]);
          create("Keep", largest, { mde: 1 }, [0.2, 0.22], 0.3); // 30% of the assignment measured so far
          create("Stop", "At Risk", { mde: 0.1 }, [0.2, 0.22]); // the At Risk segment at a 10% MDE
          create("Bayes", "At Risk", { engine: "bayesian" }, [0.2, 0.45]);
        } finally {
          db.$client.close();
        }
      },
    },
  );
  const card = async (name: string) => {
    await app.page.goto(`${app.url}/experiments/${ids[name]}/results`);
    const decision = app.page.getByTestId("decision");
    await decision.waitFor();
    return decision.innerText();
  };

  it("Ship, with the guardrails that typed counts cannot measure shown as not measurable", async () => {
    const text = await card("Ship");
    expect(text).toMatch(/^Ship: Treatment/);
    expect(text).toMatch(
      /Treatment: conversion \+\d+\.\d% \(95% confidence interval \+\d+\.\d% to \+\d+\.\d%\), p [\d.e-]+: significant at α 0\.05\./,
    );
    expect(text).toMatch(
      /guardrail refund rate \(may not rise more than 10%\) not measurable: needs per-customer results/,
    );
    const guardrails = await app.page.getByTestId("guardrails").innerText();
    expect(guardrails).toMatch(/Refund rate\s+needs per-customer results.*\s+not measurable/i); // badges are upper-cased by CSS
    expect(guardrails).toMatch(/AOV\s+needs per-customer results.*\s+not measurable/i);
  });

  it("Don't ship", async () => {
    expect(await card("Dont")).toMatch(/^Don't ship[\s\S]*Every treatment did worse than Control/);
  });

  it("Keep running, with the customers still needed within what the assignment can add", async () => {
    const text = await card("Keep");
    expect(text).toMatch(/^Keep running/);
    const [, more, capacity] = text.match(
      /([\d,]+) more customers per arm reach the planned MDE of 100% .*; the assignment can still add ([\d,]+)/,
    )!;
    expect(Number(more.replace(/,/g, ""))).toBeLessThanOrEqual(Number(capacity.replace(/,/g, "")));
    expect(await app.page.getByTestId("still-needed").innerText()).toMatch(/^[\d,]+ more customers per arm$/i);
  });

  it("Stop: can't be decided — the At Risk segment at a 10% MDE, with the smallest effect the whole audience can detect", async () => {
    const text = await card("Stop");
    expect(text).toMatch(/^Stop: can't be decided/);
    expect(text).toMatch(
      /At the observed Control (rate|revenue per customer) of [\d.]+%?, the planned MDE of 10% needs [\d,]+ customers per arm \(the design planned [\d,]+ from the back-tested [\d.]+%?\); the frozen assignment holds [\d,]+ in Control, all of them already measured\./,
    );
    expect(text).toMatch(
      /With the whole audience the smallest detectable lift is \+\d+\.\d% \(power 80%\)\. Decide on the interval, or design a bigger test\./,
    );
    expect(await app.page.getByTestId("smallest-detectable").innerText()).toMatch(
      /whole audience detects \d+\.\d% or more/i,
    );
    expect(text).not.toMatch(/more customers per arm/);
  });

  it("Bayesian engine: chance to win and the loss if it is worse, in words", async () => {
    const text = await card("Bayes");
    expect(text).toMatch(/^Ship: Treatment/);
    expect(text).toMatch(/Bayesian, flat prior/);
    expect(text).toMatch(
      /\d+% chance that Treatment beats Control on conversion \(lift \+\d+\.\d%, 95% credible interval .*\); if you ship it and it is worse, you lose \d+\.\d% on average/,
    );
  });
});
