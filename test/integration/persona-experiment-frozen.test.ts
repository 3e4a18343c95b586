import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { parseDesignInput } from "~/experiments/design-input";
import { designPreview, experimentPreview, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { cloneExperiment } from "~/experiments/lifecycle.server";
import { getExperiment } from "~/experiments/store.server";
import { chosenK, personaCentroids } from "~/segments/store.server";
import { importGenerated, tempDb } from "../support/db";

// A started persona experiment keeps the personas it started with: an update fits the personas again, and a started
// experiment's "the test needs" moved from 14,524 to 14,798 with them though its back-test day T is frozen. Its design
// now carries the centroids of its start; a draft (and a clone) follows the data set's current personas.
describe("a started persona experiment's personas", () => {
  let t: ReturnType<typeof tempDb>;
  let id: number;
  beforeAll(async () => {
    t = tempDb();
    id = await importGenerated(t, 8000, 3);
  });
  afterAll(() => t.cleanup());

  it("are those of its start, whatever the data set's personas become; a draft and a clone follow the new ones", () => {
    const k = chosenK(t.db, id)!;
    const design = {
      ...DEFAULT_DESIGN,
      name: "Persona push",
      audience: { kind: "persona" as const, k, cluster: 0, name: "first persona" },
    };
    const eid = saveExperiment(t.db, id, design);
    startExperiment(t.db, eid, { minPerArm: 0 });
    const started = getExperiment(t.db, eid)!;
    const atStart = personaCentroids(t.db, id, k);
    expect(started.design.personaCentroids).toEqual(atStart);
    const before = experimentPreview(t.db, started);
    expect(before.baselines.members).toBeGreaterThan(0);

    // the personas fitted again (as an update does): cluster 0 becomes another group of customers
    const swap = t.db.$client.prepare("UPDATE personas SET cluster = ? WHERE dataset_id = ? AND k = ? AND cluster = ?");
    t.db.$client.transaction(() => {
      swap.run(-1, id, k, 0);
      swap.run(0, id, k, 1);
      swap.run(1, id, k, -1);
    })();
    expect(personaCentroids(t.db, id, k)[0]).toEqual(atStart[1]);

    const after = experimentPreview(t.db, getExperiment(t.db, eid)!);
    expect(after.baselines.members).toBe(before.baselines.members);
    expect(after.baselines.baselines).toEqual(before.baselines.baselines);
    expect(after.power.result).toEqual(before.power.result);

    // a draft of the same audience is back-tested on today's personas: other members
    const draft = designPreview(t.db, id, design);
    expect(draft.baselines.members).not.toBe(before.baselines.members);
    const copy = getExperiment(t.db, cloneExperiment(t.db, eid))!;
    expect(copy.design.personaCentroids).toBeUndefined();
    expect(experimentPreview(t.db, copy).baselines.members).toBe(draft.baselines.members);
  });

  it("cannot be typed: a design file or API body's personaCentroids is dropped", () => {
    const parsed = parseDesignInput({ ...DEFAULT_DESIGN, name: "Typed", personaCentroids: [[0, 0, 0]] });
    expect(parsed.success).toBe(true);
    expect(parsed.data!.personaCentroids).toBeUndefined();
  });
});
