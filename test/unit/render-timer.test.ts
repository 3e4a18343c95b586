import { createElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppLoadContext, EntryContext } from "@remix-run/node";

// The page itself is not under test: only the entry's rendering, its response and the timers it leaves behind.
vi.mock("@remix-run/react", () => ({
  RemixServer: () => createElement("html", null, createElement("body", null, "Campaign Lab")),
}));
const { default: handleRequest } = await import("~/entry.server");

const setTimer = globalThis.setTimeout;
afterEach(() => vi.restoreAllMocks());

async function render(userAgent: string) {
  const started: unknown[] = [];
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    const timer = setTimer(fn, ms);
    if (ms === 5_000) started.push(timer); // the render's abort deadline
    return timer;
  }) as typeof setTimeout);
  const cleared = vi.spyOn(globalThis, "clearTimeout");
  const request = new Request("http://localhost/", { headers: { "User-Agent": userAgent } });
  const res = (await handleRequest(request, 200, new Headers(), {} as EntryContext, {} as AppLoadContext)) as Response;
  const html = await res.text();
  await new Promise((r) => setImmediate(r)); // the render's last callbacks
  const left = started.filter((t) => !cleared.mock.calls.some(([c]) => c === t));
  vi.restoreAllMocks();
  return { html, status: res.status, started: started.length, left: left.length };
}

describe("entry.server: a finished render leaves no timer", () => {
  it("streamed to a browser and whole to a bot, each render clears its 5 s abort timer when it ends", async () => {
    for (const agent of [
      "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
      "Googlebot/2.1 (+http://www.google.com/bot.html)",
    ]) {
      const r = await render(agent);
      expect(r.status).toBe(200);
      expect(r.html).toContain("Campaign Lab");
      expect(r.started).toBe(1);
      expect(r.left).toBe(0);
    }
  });
});
