import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importAndDerive, updateAndDerive, updateDerivation } from "~/derive/derive.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { measuredResults } from "~/experiments/measure.server";
import { updateDataset } from "~/ingest/update.server";
import { saveAudience } from "~/segments/audiences.server";
import { choosePersonaK, deriveSegments } from "~/segments/compute.server";
import { fixture, tempDb } from "../support/db";
import { hashTables } from "../support/hash";

// #12 item 6, the remainder: `import --update` and POST /api/imports {update} held the write lock for their whole run
// (segments and measured results were recomputed inside the transaction), so saving an audience meanwhile waited.
// An update now stages like an import: read, clean, stage and derive with no lock; the lock only to write them in.

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
/** A shop's lines in one year: invoices numbered from `first`, 300 customers. */
function shop(path: string, year: number, first: number, lines: number): void {
  const body = Array.from(
    { length: lines },
    (_, i) =>
      `${first + i},8512${i % 9},ITEM,${1 + (i % 4)},${1 + (i % 12)}/${1 + (i % 27)}/${year} 10:00,2.55,${17000 + (i % 300)},United Kingdom`,
  );
  writeFileSync(path, [HEADER, ...body].join("\n") + "\n");
}

describe("a staged update", () => {
  let t: ReturnType<typeof tempDb>;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());
  const scratch = () => readdirSync(t.dir).filter((n) => n.includes(".scratch"));

  it("lets another connection write at once while the file is read and while its tables are derived", async () => {
    const old = join(t.dir, "2011.csv");
    const next = join(t.dir, "2012.csv");
    shop(old, 2011, 600_000, 3_000);
    shop(next, 2012, 700_000, 150_000);
    await importAndDerive(t.db, old, { name: "shop" });
    const other = new Database(t.path, { timeout: 0 }); // no busy timeout: a held write lock would fail at once
    const writes: string[] = [];
    const write = (when: string) => {
      other
        .prepare(
          "INSERT INTO settings (key, value) VALUES ('probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(when);
      writes.push(when);
    };
    const derive = updateDerivation(t.db);
    const report = await updateDataset(t.db, next, {
      dataset: "shop",
      onProgress: (p) => p.stage === "reading" && write("reading"),
      prepare: async (pending) => {
        const derived = await derive.prepare(pending);
        write("derived"); // segments and measured results computed: still no lock held
        return derived;
      },
      beforeCommit: derive.beforeCommit,
    });
    other.close();
    expect(writes).toContain("reading");
    expect(writes.at(-1)).toBe("derived");
    expect(report.added).toBe(150_000);
    const { locked, total } = report.clean.seconds;
    expect(locked).toBeGreaterThan(0);
    expect(locked!).toBeLessThan(total / 2); // the lock only to write in
    console.log(`staged update of 150,000 lines: ${total.toFixed(2)} s, write lock held ${locked!.toFixed(2)} s`);
    expect(scratch()).toEqual([]);
    const one = (sql: string) => t.db.$client.prepare(sql).pluck().get();
    expect(one("SELECT count(*) FROM lines")).toBe(153_000);
    expect(one("SELECT snapshot_date FROM segment_runs")).toBe("2012-12-27");
    expect(one("SELECT count(*) FROM customer_rfm")).toBe(300);
  }, 120_000);

  it("a fault while reading, while deriving or under the lock leaves every table as it was, and no scratch file", async () => {
    const old = join(t.dir, "2011.csv");
    const next = join(t.dir, "2012.csv");
    shop(old, 2011, 600_000, 3_000);
    shop(next, 2012, 700_000, 5_000);
    await importAndDerive(t.db, old, { name: "shop" });
    const before = hashTables(t.db);
    const faults: [() => Promise<unknown>, RegExp][] = [
      [() => updateAndDerive(t.db, next, { dataset: "shop", faultAfterLines: 2_000 }), /Injected fault/],
      [
        () =>
          updateDataset(t.db, next, {
            dataset: "shop",
            prepare: async (p) => {
              await deriveSegments(p.customers, p.lastAt);
              throw new Error("fault while deriving");
            },
          }),
        /fault while deriving/,
      ],
      [
        () =>
          updateDataset(t.db, next, {
            dataset: "shop",
            beforeCommit: () => {
              throw new Error("fault under the lock");
            },
          }),
        /fault under the lock/,
      ],
    ];
    for (const [run, message] of faults) {
      await expect(run()).rejects.toThrow(message);
      expect(hashTables(t.db)).toEqual(before);
      expect(scratch()).toEqual([]);
    }
  });

  it("keeps what the user changed meanwhile: the k chosen and an experiment started while it derived", async () => {
    await importAndDerive(t.db, fixture("measured-shop.csv"), { name: "shop", until: "2011-01-10" });
    const id = t.db.$client.prepare("SELECT id FROM datasets").pluck().get() as number;
    const audience = saveAudience(t.db, id, { name: "Everyone", definition: { kind: "filter" } });
    const experiment = saveExperiment(t.db, id, {
      ...DEFAULT_DESIGN,
      name: "Started meanwhile",
      audience: { kind: "audience", id: audience },
      windowDays: 7,
      arms: [
        { name: "Control", share: 0.5 },
        { name: "Treatment", share: 0.5 },
      ],
    });
    const best = t.db.$client.prepare("SELECT best_k FROM segment_runs").pluck().get() as number;
    const chosen = best === 3 ? 4 : 3;
    const derive = updateDerivation(t.db);
    const report = await updateDataset(t.db, fixture("measured-shop.csv"), {
      dataset: id,
      prepare: async (pending) => {
        const derived = await derive.prepare(pending); // derived with the proposed k and no experiment running
        choosePersonaK(t.db, id, chosen); // then, before the lock, the user picks another k and starts a test
        expect(startExperiment(t.db, experiment, { minPerArm: 0 }).startDate).toBe("2011-01-10");
        return derived;
      },
      beforeCommit: derive.beforeCommit,
    });
    expect(t.db.$client.prepare("SELECT chosen_k FROM segment_runs").pluck().get()).toBe(chosen);
    expect(t.db.$client.prepare("SELECT MAX(persona) FROM customer_rfm").pluck().get()).toBeLessThan(chosen);
    expect(report.remeasured).toEqual([experiment]); // measured again under the lock: it was started meanwhile
    expect(measuredResults(t.db, experiment)).toMatchObject({ daysObserved: 7, observedThrough: "2011-01-17" });
  });

  it("refuses, changing nothing, when another update changed the data set while it was reading", async () => {
    await importAndDerive(t.db, fixture("measured-shop.csv"), { name: "shop", until: "2011-01-10" });
    let meddled: Record<string, string> = {};
    const derive = updateDerivation(t.db);
    await expect(
      updateDataset(t.db, fixture("measured-shop.csv"), {
        dataset: "shop",
        prepare: async (pending) => {
          const derived = await derive.prepare(pending);
          t.db.$client.prepare("UPDATE datasets SET last_at = '2011-01-12T00:00:00'").run(); // as another update would
          meddled = hashTables(t.db);
          return derived;
        },
        beforeCommit: derive.beforeCommit,
      }),
    ).rejects.toThrow(/was changed by another import or update while this one was reading: nothing was changed/);
    expect(hashTables(t.db)).toEqual(meddled);
  });
});
