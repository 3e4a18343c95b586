import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment } from "~/experiments/experiments.server";
import * as page from "~/routes/experiments.$id._index";
import { fixture, importForTest, tempDb } from "../support/db";

// An experiment's address opened while another data set is active (a bookmark, a link from before a switch): the 404
// names the data set it belongs to and how to open it, instead of "no such experiment".
let t: ReturnType<typeof tempDb>;
let id: number;
beforeAll(async () => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
  const first = await importForTest(t.db, fixture("context-shop.csv"), { name: "Spring shop" });
  id = saveExperiment(t.db, first, { ...DEFAULT_DESIGN, name: "Spring test" });
  await importForTest(t.db, fixture("figures-shop.csv"), { name: "Autumn shop" }); // now the active data set
});
afterAll(() => t.cleanup());

async function status(run: () => unknown): Promise<[number, string]> {
  try {
    await run();
  } catch (err) {
    if (err instanceof Response) return [err.status, await err.text()];
    throw err;
  }
  return [200, ""];
}

describe("an experiment of another data set", () => {
  it("answers 404 saying which data set holds it and that making it active opens it", async () => {
    const args = {
      request: new Request(`http://campaign.lab/experiments/${id}`),
      params: { id: String(id) },
      context: {},
    };
    expect(await status(() => page.loader(args))).toEqual([
      404,
      `Experiment #${id} belongs to the data set "Spring shop", not to the active one ("Autumn shop"): make "Spring shop" active on the Data page to open it.`,
    ]);
  });

  it("answers the plain 404 for an id no data set has", async () => {
    const args = { request: new Request("http://campaign.lab/experiments/999"), params: { id: "999" }, context: {} };
    expect(await status(() => page.loader(args))).toEqual([404, "No such experiment in the active data set."]);
  });
});
