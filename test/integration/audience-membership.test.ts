import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFacts } from "~/analytics/facts.server";
import { memberOf, rfmAsOf } from "~/experiments/backtest";
import { audienceMembers, type AudienceDefinition } from "~/segments/audiences.server";
import { choosePersonaK } from "~/segments/compute.server";
import { chosenK, personaCentroids } from "~/segments/store.server";
import { importGenerated, tempDb } from "../support/db";

// Audience membership is one rule read two ways: SQL over the stored RFM table (today's members) and a predicate over
// RFM recomputed as of a day T (back-tests). On the data set's last day both see the same customers, so they must agree.
describe("audience membership: the SQL path and the as-of-T path agree on the last day", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    id = await importGenerated(t, 8000, 3);
  });
  afterAll(() => t.cleanup());

  const asOfLastDay = (definition: AudienceDefinition) => {
    const facts = getFacts(t.db, id);
    const centroids = definition.kind === "persona" ? personaCentroids(t.db, id, definition.k) : null;
    return rfmAsOf(facts, facts.lastDay)
      .filter((c) => memberOf(c, definition, centroids))
      .map((c) => c.customerId)
      .sort();
  };

  const definitions: AudienceDefinition[] = [
    { kind: "segment", segment: "Champions" },
    { kind: "segment", segment: "At Risk" },
    { kind: "filter", countries: ["United Kingdom"], recency: { min: 30 }, monetary: { max: 800 } },
    { kind: "filter", segments: ["Lost", "Hibernating"], frequency: { min: 2, max: 5 } },
    { kind: "filter" },
    { kind: "filter", cell: { r: 5, fm: 4 } }, // a grid cell (issue 14)
    { kind: "filter", cell: { r: 1, fm: 2 }, monetary: { min: 100 } },
  ];

  it.each(definitions.map((d) => [JSON.stringify(d), d] as const))("%s", (_, definition) => {
    const stored = audienceMembers(t.db, id, definition);
    expect(stored.length).toBeGreaterThan(0);
    expect(asOfLastDay(definition)).toEqual(stored);
  });

  it("persona audiences too, of the chosen k and of another k", () => {
    const k = chosenK(t.db, id)!;
    for (const definition of [
      { kind: "persona", k, cluster: 0 },
      { kind: "persona", k: k === 2 ? 3 : 2, cluster: 1 },
    ] as AudienceDefinition[]) {
      const stored = audienceMembers(t.db, id, definition);
      expect(stored.length).toBeGreaterThan(0);
      expect(asOfLastDay(definition)).toEqual(stored);
    }
    choosePersonaK(t.db, id, 4);
    const relabelled: AudienceDefinition = { kind: "persona", k: 4, cluster: 2 };
    expect(asOfLastDay(relabelled)).toEqual(audienceMembers(t.db, id, relabelled));
  });
});
