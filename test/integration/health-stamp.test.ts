import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "~/db/db.server";
import { checkedAsIs, databaseProblem } from "~/db/health.server";
import { cli, ROOT } from "../support/cli";
import { tempDb } from "../support/db";

// The start's quick_check is skipped only for a file exactly as it was when last found clean (issue 15, cold start):
// damage written since changes the file, and the next start checks it again.
const t = tempDb();
afterAll(() => t.cleanup());

describe("database check stamp", () => {
  it("stamps a clean file, skips it while unchanged, and checks it again once it changed", () => {
    const path = join(t.dir, "stamped.db");
    const db = openDb(path);
    db.$client.exec(
      "CREATE TABLE filler(x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO filler SELECT printf('%0200d', i) FROM n;",
    );
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    db.$client.pragma("journal_mode = DELETE");
    db.$client.close();
    expect(databaseProblem(path)).toBeNull();
    expect(existsSync(`${path}.checked`)).toBe(true);
    const stamp = readFileSync(`${path}.checked`, "utf8");
    expect(databaseProblem(path)).toBeNull();
    expect(readFileSync(`${path}.checked`, "utf8")).toBe(stamp);

    const fd = openSync(path, "r+");
    for (const page of [40, 60, 80]) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, page * 4096);
    closeSync(fd);
    expect(databaseProblem(path)).toMatch(/is damaged/);
    expect(databaseProblem(path)).toMatch(/is damaged/); // never stamped while damaged
  });

  // decision 0034: a CLI import into a file it found checked (or created) stamps it again once closed, so the first
  // start after it does not read every page (7 s at 15M lines); a file never checked stays for the next start to check
  const SHOP = join(ROOT, "test/fixtures/context-shop.csv");

  it("a CLI import into a new file leaves it stamped, and the next import into it keeps the stamp", () => {
    const path = join(t.dir, "new.db");
    expect(cli(["import", SHOP, "--db", path, "--json"]).code).toBe(0);
    expect(checkedAsIs(path)).toBe(true);
    const first = readFileSync(`${path}.checked`, "utf8");
    expect(cli(["import", SHOP, "--db", path, "--replace", "--json"]).code).toBe(0);
    expect(readFileSync(`${path}.checked`, "utf8")).not.toBe(first); // rewritten: stamped anew
    expect(checkedAsIs(path)).toBe(true);
  });

  it("a CLI import into a file never checked leaves it unstamped: the next start checks it", () => {
    const path = join(t.dir, "unchecked.db");
    openDb(path).$client.close();
    expect(checkedAsIs(path)).toBe(false);
    expect(cli(["import", SHOP, "--db", path, "--json"]).code).toBe(0);
    expect(existsSync(`${path}.checked`)).toBe(false);
    expect(databaseProblem(path)).toBeNull(); // checked now, and stamped
    expect(checkedAsIs(path)).toBe(true);
  });
});
