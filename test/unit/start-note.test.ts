import { describe, expect, it } from "vitest";
import { startNote } from "~/experiments/experiments.server";

// The history line written at the start: arm sizes as every page shows counts (thousands separated), not raw digits.
describe("the start's history note", () => {
  it("gives each arm's assigned count with thousands separators, then the warnings", () => {
    expect(
      startNote(
        "2011-10-31",
        [{ name: "Control" }, { name: "Treatment" }],
        [1254, 1277],
        ["power 22% at the planned MDE of 10%, below the planned 80%"],
      ),
    ).toBe(
      "start day 2011-10-31; Control 1,254, Treatment 1,277; power 22% at the planned MDE of 10%, below the planned 80%",
    );
    expect(startNote("2011-12-09", [{ name: "A" }, { name: "B" }], [446, 435], [])).toBe(
      "start day 2011-12-09; A 446, B 435",
    );
  });
});
