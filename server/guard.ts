import { randomBytes } from "node:crypto";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";

// The trust boundary of a server with no login (#12 items 2 and 9). It answers only to the names it is served under
// (a page on evil.example that resolves to 127.0.0.1 — DNS rebinding — gets 421), refuses state changes from other
// origins (403), and sends the headers that keep other pages from running scripts in it or framing it.

const LOCAL = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Host names the server answers to: the loopback names, plus HOST itself when it names one address, plus the
 * comma-separated ALLOWED_HOSTS when HOST is set (serving a team behind a proxy: README "Security and limits").
 */
export function allowedHosts(env: Record<string, string | undefined> = process.env): Set<string> {
  const hosts = new Set(LOCAL);
  if (env.HOST) {
    if (!["0.0.0.0", "::"].includes(env.HOST)) hosts.add(normaliseHost(env.HOST));
    for (const h of (env.ALLOWED_HOSTS ?? "").split(",")) if (h.trim()) hosts.add(normaliseHost(h.trim()));
  }
  return hosts;
}

/** The host name of a Host header or a bare name, lower-cased, without its port (IPv6 kept in brackets). */
export function normaliseHost(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith("[")) return v.slice(0, v.indexOf("]") + 1);
  if (v.includes(":") && v.indexOf(":") === v.lastIndexOf(":")) return v.slice(0, v.indexOf(":"));
  return v.includes(":") ? `[${v}]` : v; // a bare IPv6 address, as in HOST=::1
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** The largest body a request other than an upload may announce (forms and JSON; uploads stream to disk). */
export const MAX_BODY_BYTES = 2_000_000;
const UPLOADS = /^\/api\/uploads(\/|$)/;

/** Why a request is refused, or null: the Host check, then, for a state change, the origin check. */
export function refusal(
  req: { method: string; headers: Record<string, string | string[] | undefined> },
  allowed: Set<string>,
): { status: number; message: string } | null {
  const host = typeof req.headers.host === "string" ? req.headers.host : "";
  if (!host || !allowed.has(normaliseHost(host)))
    return {
      status: 421,
      message: `This server does not answer to the host "${host.slice(0, 100)}". It answers to ${[...allowed].join(", ")}; set ALLOWED_HOSTS (with HOST) to add a name.`,
    };
  if (SAFE_METHODS.has(req.method)) return null;
  const length = Number(req.headers["content-length"] ?? 0);
  if (length > MAX_BODY_BYTES && !UPLOADS.test((req as { path?: string }).path ?? ""))
    return {
      status: 413,
      message: `The body is ${length.toLocaleString("en-GB")} bytes, over the ${MAX_BODY_BYTES.toLocaleString("en-GB")} this server reads (files go through the upload).`,
    };
  const origin = req.headers.origin;
  if (typeof origin === "string") {
    let originHost = "";
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      // "null" (a sandboxed frame, a file: page) or garbage: not this server's origin
    }
    if (originHost !== host.toLowerCase())
      return {
        status: 403,
        message: `Cross-origin request refused: a page on ${origin.slice(0, 100)} may not change data on this server.`,
      };
    return null;
  }
  // no Origin (old browsers on same-origin GET-like forms, the CLI, curl): a browser still says where it comes from
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site")
    return {
      status: 403,
      message: "Cross-origin request refused: a page on another site may not change data on this server.",
    };
  return null;
}

/** The one line a body over `limit` bytes gets (413), announced or counted. */
const tooLarge = (limit: number) =>
  `The body is over ${limit.toLocaleString("en-GB")} bytes, the most this server reads (files go through the upload).`;

const bodies = new WeakMap<object, Uint8Array<ArrayBuffer>>();

/**
 * Express middleware for a state change (not an upload) whose body does not announce its length (sent chunked): the
 * guard above cannot see its size, so it is read here, counting bytes as they arrive. Past `limit` it is refused (413,
 * one line) and the rest is read and discarded, never held; under it, the page gets it whole (`bufferedBody`).
 */
export function limitUnannouncedBodies(limit = MAX_BODY_BYTES) {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || req.headers["content-length"] !== undefined || UPLOADS.test(req.path))
      return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return; // discarded as it arrives: the client finishes sending and reads the answer
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      refused = true;
      chunks.length = 0;
      res
        .status(413)
        .type("text/plain")
        .set("Cache-Control", "no-store")
        .send(tooLarge(limit) + "\n");
    });
    req.once("end", () => {
      if (refused) return;
      const body = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) body.set(chunk, (at += chunk.length) - chunk.length);
      bodies.set(req, body);
      next();
    });
    req.once("error", (err) => !refused && next(err));
  };
}

/** The body `limitUnannouncedBodies` read for this request, if it read one. */
export const bufferedBody = (req: object): Uint8Array<ArrayBuffer> | undefined => bodies.get(req);

/** The Content-Security-Policy of a response whose inline scripts carry `nonce` (Remix's and Mantine's only). */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // Mantine writes style attributes and a <style> block: styles cannot run code, scripts are what the policy guards
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Express middleware: refuses what `refusal` refuses (one line of text), else sets the headers and res.locals.nonce. */
export function guard(allowed = allowedHosts()) {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const refused = refusal(req, allowed);
    if (refused) {
      res
        .status(refused.status)
        .type("text/plain")
        .set("Cache-Control", "no-store")
        .send(refused.message + "\n");
      return;
    }
    const nonce = randomBytes(16).toString("base64");
    res.locals.nonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    next();
  };
}

/** A rendered page's body with its nonce replaced by this response's (a page kept in the page cache, or shared). */
export function swapNonce(body: Buffer, from: string | undefined, to: string): Buffer {
  if (!from || from === to) return body;
  const needle = `nonce="${from}"`;
  const text = body.toString("utf8");
  if (!text.includes(needle)) return body;
  return Buffer.from(text.replaceAll(needle, `nonce="${to}"`), "utf8");
}
