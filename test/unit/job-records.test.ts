import { describe, expect, it } from "vitest";
import { JobRecords, type ImportJob } from "~/ingest/jobs.server";

// #12 item 4: job records are bounded (50) and finished ones expire after an hour, oldest first; running ones stay.

const job = (id: string): ImportJob => ({
  id,
  fileName: `${id}.csv`,
  status: "running",
  progress: null,
  report: null,
  error: null,
  canReplace: false,
});

function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now };
  return c;
}

describe("job records", () => {
  it("drops finished records beyond the bound, oldest finished first", () => {
    const t = clock();
    const records = new JobRecords(50, 3_600_000, t.read);
    for (let i = 0; i < 60; i++) {
      expect(records.add(job(`j${i}`))).toEqual([]); // nothing finished yet: nothing may go
      t.now += 1000;
    }
    // they finish in a different order from the one they started in: the oldest finished leaves first
    const order = Array.from({ length: 60 }, (_, i) => `j${(i * 7) % 60}`);
    for (const id of order) {
      records.finish(id);
      t.now += 1000;
    }
    const dropped = records.add(job("new"));
    expect(dropped).toEqual(order.slice(0, 11)); // 60 → 49, then the new one: 50
    expect(records.size).toBe(50);
    for (const id of order.slice(0, 11)) expect(records.get(id)).toBeUndefined();
    for (const id of order.slice(11)) expect(records.get(id)?.id).toBe(id);
    expect(records.get("new")?.status).toBe("running");
  });

  it("never drops a running job, even past the bound", () => {
    const records = new JobRecords(50, 3_600_000, clock().read);
    for (let i = 0; i < 55; i++) records.add(job(`r${i}`));
    expect(records.add(job("r55"))).toEqual([]);
    expect(records.size).toBe(56);
  });

  it("drops a finished record once it is older than an hour, and keeps it until then", () => {
    const t = clock();
    const records = new JobRecords(50, 3_600_000, t.read);
    records.add(job("old"));
    records.add(job("young"));
    records.add(job("running"));
    records.finish("old");
    t.now += 1_800_000;
    records.finish("young");
    t.now += 1_800_000; // "old" finished exactly an hour ago: still kept
    expect(records.prune()).toEqual([]);
    t.now += 1;
    expect(records.prune()).toEqual(["old"]);
    expect(records.get("old")).toBeUndefined();
    expect(records.get("young")?.id).toBe("young");
    t.now += 1_800_000;
    expect(records.prune()).toEqual(["young"]);
    t.now += 10 * 3_600_000;
    expect(records.prune()).toEqual([]);
    expect(records.get("running")?.id).toBe("running");
    expect(records.size).toBe(1);
  });
});
