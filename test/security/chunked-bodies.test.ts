import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../server/guard";
import { startServer } from "../support/server";

// #12 item 4: the 2 MB guard read Content-Length only, so a body sent chunked (no Content-Length) to a page action had
// no limit at all. Now the server counts its bytes as they arrive: past 2 MB it answers 413 with one line and holds
// nothing; under it the page gets the body as before. Uploads stream to disk and are not limited this way.

type Answer = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

/** POSTs `body` in 64 KB chunks with Transfer-Encoding: chunked (Node's default when no Content-Length is given). */
function sendChunked(url: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: pathname, method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on("error", reject);
    for (let at = 0; at < body.length; at += 65_536) req.write(body.subarray(at, at + 65_536));
    req.end();
  });
}

describe("bodies sent chunked (no Content-Length)", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let dir: string;
  let host: string;
  const form = (fields: string) => Buffer.from(fields, "utf8");
  const formHeaders = () => ({ host, "content-type": "application/x-www-form-urlencoded" });
  const audienceNames = async () =>
    ((await (await fetch(`${server.url}/api/audiences`)).json()) as { name: string }[]).map((a) => a.name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-chunked-"));
    server = await startServer({ DATABASE_PATH: join(dir, "t.db"), DEMO_LINES: "3000", WEB_WORKERS: "1" });
    host = new URL(server.url).host;
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a page action still gets a small chunked form body whole", async () => {
    const answer = await sendChunked(
      `${server.url}/audiences`,
      formHeaders(),
      form("name=Sent+in+chunks&kind=segment&segment=Champions"),
    );
    expect(answer.status).toBe(302); // saved, then redirected to the list
    expect(answer.headers.location).toMatch(/^\/audiences\?saved=\d+/);
    expect(await audienceNames()).toContain("Sent in chunks");
  });

  it("refuses a chunked form body over 2 MB with 413 and one line, and saves nothing", async () => {
    const big = form(`name=Too+big&kind=segment&segment=Hibernating&note=${"a".repeat(MAX_BODY_BYTES + 500_000)}`);
    const answer = await sendChunked(`${server.url}/audiences`, formHeaders(), big);
    expect(answer.status).toBe(413);
    expect(answer.body).toBe(
      "The body is over 2,000,000 bytes, the most this server reads (files go through the upload).\n",
    );
    expect(await audienceNames()).not.toContain("Too big");
    // and the server goes on serving
    expect((await fetch(`${server.url}/api/datasets`)).status).toBe(200);
  });

  it("counts the bytes, not the chunks: a body just under the limit passes, one byte more is refused", async () => {
    // another segment each time: an audience with the same definition is never saved twice (409)
    const fields = "name=Edge&kind=segment&segment=Loyal+Customers&note=";
    const under = form(fields + "a".repeat(MAX_BODY_BYTES - fields.length));
    expect(under.length).toBe(MAX_BODY_BYTES);
    // a 2 MB form reaches the action (which names the audience it saved)
    expect((await sendChunked(`${server.url}/audiences`, formHeaders(), under)).status).toBe(302);
    const other = fields.replace("Loyal+Customers", "Promising");
    const over = form(other + "a".repeat(MAX_BODY_BYTES - other.length + 1));
    expect(over.length).toBe(MAX_BODY_BYTES + 1);
    expect((await sendChunked(`${server.url}/audiences`, formHeaders(), over)).status).toBe(413);
  });

  it("a JSON route takes a small chunked body (the CLI's and curl's), and still refuses one over 1 MB", async () => {
    const json = { host, "content-type": "application/json" };
    const small = Buffer.from(JSON.stringify({ metric: "proportion", baseline: 0.1, mde: 0.02 }));
    const answer = await sendChunked(`${server.url}/api/power`, json, small);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty("nTotal");
    const big = Buffer.from(
      JSON.stringify({ metric: "proportion", baseline: 0.1, mde: 0.02, pad: "x".repeat(1_200_000) }),
    );
    const refused = await sendChunked(`${server.url}/api/power`, json, big);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error).toMatch(/over 1,000,000 bytes/);
  });

  it("an upload may be sent in chunks past 2 MB: it streams to disk", async () => {
    const lines = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
    for (let i = 0; i < 32_000; i++)
      // ~96 bytes a line: 3 MB
      lines.push(
        `${536365 + (i % 900)},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom`,
      );
    const csv = Buffer.from(lines.join("\n") + "\n");
    expect(csv.length).toBeGreaterThan(MAX_BODY_BYTES);
    const answer = await sendChunked(`${server.url}/api/uploads`, { host, "x-file-name": "chunked.csv" }, csv);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).upload.bytes).toBe(csv.length);
  });
}, 300_000);
