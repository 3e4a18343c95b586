import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "~/ingest/import.server";
import { headSource, openSource } from "~/ingest/source";
import { tempDb } from "../support/db";

// #12 item 8, the smaller defects: each gave a 500, a silent wrong figure or a message that helped no one.

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const sales = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `${570000 + i},8512${i % 7},ITEM,${1 + (i % 4)},3/${1 + (i % 27)}/2011 10:00,2.55,${17000 + (i % 11)},United Kingdom`,
  );

let t: ReturnType<typeof tempDb>;
beforeAll(async () => {
  t = tempDb();
  process.env.DATABASE_PATH = t.path;
  const path = join(t.dir, "shop.csv");
  writeFileSync(path, [HEADER, ...sales(60)].join("\n") + "\n");
  await importFile(t.db, path, { name: "shop" });
});
afterAll(() => {
  delete process.env.DATABASE_PATH;
  t.cleanup();
});

const call = async (route: string, init: RequestInit) => {
  const mod = (await import(`~/routes/${route}`)) as {
    action: (a: { request: Request; params: object; context: object }) => Promise<Response>;
  };
  const res = await mod.action({
    request: new Request("http://localhost/api", { method: "POST", ...init }),
    params: {},
    context: {},
  });
  return { status: res.status, body: (await res.json()) as { error?: string; errors?: object; customers?: number } };
};

describe("smaller defects", () => {
  it("X-File-Name with bad percent-encoding or a NUL is a 400, not a 500", async () => {
    for (const name of ["%E0%A4%A", "bad%00name.csv"]) {
      const answer = await call("api.uploads", { body: "a,b\n1,2\n", headers: { "X-File-Name": name } });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/X-File-Name/);
    }
  });

  it("POST /api/audiences takes a JSON body (it gave a 500), and refuses a JSON array with a 400", async () => {
    let answer = await call("api.audiences", {
      body: JSON.stringify({ kind: "segment", segment: "Champions" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(answer.status).not.toBe(500);
    expect([200, 400]).toContain(answer.status);
    answer = await call("api.audiences", { body: "[1]", headers: { "Content-Type": "application/json" } });
    expect(answer.status).toBe(400);
  });

  it("rejects an amount that would take the total past 2⁵³ thousandths, instead of losing digits", async () => {
    const path = join(t.dir, "huge.csv");
    const huge = (i: number) => `57990${i},85123A,HUGE,5,3/2/2011 10:00,999999999999,1700${i},United Kingdom`;
    writeFileSync(path, [HEADER, ...sales(60), huge(1), huge(2)].join("\n") + "\n");
    const report = await importFile(t.db, path, { name: "huge" });
    expect(report.rejectedExamples.map((e) => e.reason)).toContain(
      "amount would take the file's total past 9,007,199,254,740.991 (2⁵³ thousandths), where sums are no longer exact",
    );
    expect(Number.isSafeInteger(Math.round(report.salesRevenue * 1000))).toBe(true);
  });

  it("refuses a duplicated Country column, naming both", async () => {
    const path = join(t.dir, "two-countries.csv");
    writeFileSync(path, [`${HEADER},Country`, ...sales(5).map((l) => `${l},France`)].join("\n") + "\n");
    await expect(importFile(t.db, path, { name: "two countries" })).rejects.toThrow(
      'The column "Country" appears twice (columns 8 and 9): remove or rename one, then import again',
    );
  });

  it("refuses CR-only line ends with a message that says so", async () => {
    const path = join(t.dir, "mac.csv");
    writeFileSync(path, [HEADER, ...sales(5)].join("\r") + "\r");
    await expect(importFile(t.db, path, { name: "mac" })).rejects.toThrow(/^The file's lines end with CR only/);
  });

  it("reads about 256 KB of a gzip file's head for the preview (its first 1 MB chunk was taken whole), cut at a line end", async () => {
    const path = join(t.dir, "big.csv.gz");
    writeFileSync(path, gzipSync(Buffer.from([HEADER, ...sales(30_000)].join("\n") + "\n")));
    const [head] = (await headSource(path)).chunks as Buffer[];
    expect(head.length).toBeGreaterThan(250 * 1024);
    expect(head.length).toBeLessThanOrEqual(256 * 1024);
    expect(head.at(-1)).toBe(0x0a);
  });

  it("does not trust a gzip trailer's size: a forged 4 GB claim is bounded by the compressed size", async () => {
    const gz = gzipSync(Buffer.from([HEADER, ...sales(20)].join("\n")));
    gz.writeUInt32LE(0xfffffff0, gz.length - 4); // ISIZE forged
    const path = join(t.dir, "forged.csv.gz");
    writeFileSync(path, gz);
    const source = await openSource(path);
    expect(source.totalBytes).toBeLessThanOrEqual(gz.length * 50);
    await (async () => {
      for await (const _ of source.chunks); // read to the end (zlib refuses the forged length check)
    })().catch(() => undefined);
  });
});
