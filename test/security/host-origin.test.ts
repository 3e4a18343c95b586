import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHosts, refusal } from "../../server/guard";
import { startServer } from "../support/server";

// #12 item 2: DNS rebinding. A page on evil.example resolving to 127.0.0.1 read rfm_customers.csv and deleted a data set
// with HTTP 200: there was no Host check. Now any other Host gets 421, and a state change from another origin gets 403
// with a message (it got a generic 500).

type Answer = { status: number; body: string };
/** A raw HTTP request, so that Host can be anything (fetch would set it from the URL). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: pathname, method, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("host allow-list and cross-origin writes", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let dir: string;
  let port: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "campaign-lab-host-"));
    server = await startServer({ DATABASE_PATH: join(dir, "t.db"), DEMO_DATA: "off", WEB_WORKERS: "1" });
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers only to the loopback names: a rebound name gets 421 on reads and deletes", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
      expect((await send(`${server.url}/api/datasets`, "GET", { host })).status).toBe(200);
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/api/segments/members.csv"],
      ["DELETE", "/api/datasets/1"],
    ]) {
      const answer = await send(`${server.url}${path}`, method, { host: `evil.example:${port}` });
      expect(answer.status).toBe(421);
      expect(answer.body).toMatch(/does not answer to the host "evil\.example/);
    }
  });

  it("refuses a state change from another origin with 403 and a message; same-origin and the CLI's plain requests pass", async () => {
    const json = { host: `127.0.0.1:${port}`, "content-type": "application/json" };
    const body = JSON.stringify({ metric: "proportion", baseline: 0.1, mde: 0.02 });
    let answer = await send(`${server.url}/api/power`, "POST", { ...json, origin: "http://evil.example" }, body);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/Cross-origin request refused: a page on http:\/\/evil\.example/);
    answer = await send(`${server.url}/api/power`, "POST", { ...json, "sec-fetch-site": "cross-site" }, body);
    expect(answer.status).toBe(403);
    answer = await send(`${server.url}/api/power`, "POST", { ...json, origin: "null" }, body);
    expect(answer.status).toBe(403);
    answer = await send(`${server.url}/api/power`, "POST", { ...json, origin: `http://127.0.0.1:${port}` }, body);
    expect(answer.status).toBe(200);
    answer = await send(`${server.url}/api/power`, "POST", json, body);
    expect(answer.status).toBe(200);
  });

  it("adds ALLOWED_HOSTS (and HOST's own address) only when HOST is set", () => {
    expect([...allowedHosts({})]).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect([...allowedHosts({ ALLOWED_HOSTS: "lab.example" })]).not.toContain("lab.example");
    const team = allowedHosts({ HOST: "0.0.0.0", ALLOWED_HOSTS: "Lab.Example, 10.0.0.5:8080" });
    expect(team).toContain("lab.example");
    expect(team).toContain("10.0.0.5");
    expect(team).not.toContain("0.0.0.0");
    expect(allowedHosts({ HOST: "192.168.1.20" })).toContain("192.168.1.20");
    expect(refusal({ method: "GET", headers: { host: "LAB.example:443" } }, team)).toBeNull();
    expect(refusal({ method: "GET", headers: {} }, team)?.status).toBe(421);
  });
});
