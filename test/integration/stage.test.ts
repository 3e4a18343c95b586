import { describe, expect, it } from "vitest";
import { openStage } from "~/db/load.server";
import { LINE_WIDTH } from "~/types/import";
import { tempDb } from "../support/db";

// The staging thread (decision 0025): the reader waits once it is 16 batches ahead, so that a file read faster than
// its lines are written holds a bounded number of batches in memory, whatever its size.
describe("the staging thread", () => {
  it("makes the reader wait when it is too far behind, and writes every line in order", async () => {
    const t = tempDb();
    const stage = openStage(t.db);
    try {
      const rows = 2_000;
      let waits = 0;
      for (let b = 0; b < 40; b++) {
        const values = new Float64Array(rows * LINE_WIDTH);
        for (let i = 0; i < rows; i++) values.set([1, b * rows + i, NaN, 1, NaN, 5], i * LINE_WIDTH);
        const wait = stage.writer({ values, rows });
        if (wait) (waits++, await wait);
      }
      expect(waits).toBeGreaterThan(0);
      await stage.end();
      const sqlite = t.db.$client;
      expect(sqlite.prepare("SELECT COUNT(*), MIN(line_no), MAX(line_no) FROM stage.lines").raw().get()).toEqual([
        80_000, 0, 79_999,
      ]);
      const outOfOrder = sqlite
        .prepare("SELECT COUNT(*) FROM stage.lines WHERE line_no != rowid - 1 OR product_id IS NOT NULL")
        .pluck()
        .get();
      expect(outOfOrder).toBe(0);
    } finally {
      await stage.close();
      t.cleanup();
    }
  });
});
