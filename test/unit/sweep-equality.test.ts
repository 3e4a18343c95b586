import { describe, it } from "vitest";
import { sweepK } from "~/segments/kmeans";
import { expectedSweeps, sweepSets } from "../support/sweep-data";
import { expectSweepAsBefore } from "../support/sweep-expect";

// The persona sweep pinned to what it gave before it was made faster (test/fixtures/sweep/make-expected.ts, commit
// c2ba51a; its blobs and RFM-like sets are scikit-learn's fixture, pinned to scikit-learn in kmeans-reference.test.ts).

describe("the persona sweep gives what it gave before it was made faster", () => {
  for (const [name, data] of Object.entries(sweepSets)) {
    it(`${name} (${expectedSweeps[name].points} points): k = 2…10 × 10 restarts`, () => {
      expectSweepAsBefore(sweepK(data(), 2, 10, 10, 42), expectedSweeps[name]);
    });
  }
});
