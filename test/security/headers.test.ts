import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useApp } from "../support/app";

// #12 item 9: a Content-Security-Policy (inline scripts only with the response's nonce), frame-ancestors 'none' and
// X-Frame-Options DENY, nosniff and a Referrer-Policy. In the browser: the app still runs its scripts (the calculator
// computes as you type), no script is refused, a page cached by the page cache carries the new response's nonce, and a
// page on another origin cannot frame it.

describe("security headers", () => {
  const app = useApp({ DEMO_DATA: "off", WEB_WORKERS: "1" });
  const violations: string[] = [];
  let framing: Server;
  let framingUrl = "";
  beforeAll(async () => {
    app.page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && violations.push(m.text()));
    framing = createServer((_req, res) =>
      res.end(`<!doctype html><title>framing</title><iframe id="f" src="${app.url}/calculator"></iframe>`),
    );
    await new Promise<void>((resolve) => framing.listen(0, "127.0.0.1", resolve));
    framingUrl = `http://localhost:${(framing.address() as { port: number }).port}/`; // another origin than 127.0.0.1:port
  });
  // the browser keeps its connection to the framing page alive: without closing it, close() waited about 65 s
  afterAll(() => new Promise<void>((resolve) => (framing?.closeAllConnections(), framing?.close(() => resolve()))));

  it("sends the headers, with a fresh nonce each time, also on a page served from the page cache", async () => {
    const nonces = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${app.url}/calculator`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
      expect(/script-src [^;]*/.exec(csp)![0]).not.toContain("unsafe-inline");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]); // the second answer came from the page cache, with its own nonce
  });

  it("still works in the browser under the policy: the calculator computes as you type, nothing is refused", async () => {
    await app.page.goto(`${app.url}/calculator`);
    const perArm = app.page.getByTestId("power-results");
    await perArm.waitFor();
    const before = await perArm.textContent();
    await app.page.getByLabel(/Minimum detectable effect/).fill("7");
    await expect.poll(() => perArm.textContent()).not.toBe(before);
    await app.page.getByRole("link", { name: "Data" }).first().click(); // client-side navigation: the router's scripts run
    await app.page.waitForURL(/\/data$/);
    expect(violations).toEqual([]);
  });

  it("cannot be framed by a page on another origin", async () => {
    const page = await app.context.newPage();
    const refused: string[] = [];
    page.on("console", (m) => refused.push(m.text()));
    await page.goto(framingUrl);
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framed = frame
      ? await frame
          .locator("text=Power calculator")
          .count()
          .catch(() => 0)
      : 0;
    expect(framed).toBe(0);
    expect(refused.some((t) => /frame-ancestors|X-Frame-Options/i.test(t))).toBe(true);
    await page.close();
  });
});
