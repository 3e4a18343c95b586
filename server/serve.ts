import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type ServerBuild,
} from "@remix-run/node";
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from "express";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Server } from "node:http";
import { getDb } from "~/db/db.server";
import { projectRoot } from "~/db/paths.server";
import { bufferedBody, guard, limitUnannouncedBodies, swapNonce } from "./guard";
import { PageCache } from "./page-cache";

/** Serves the built Remix app (build/index.js, public/build) with Express; resolves once it listens. */
export async function serve(host: string, port: number): Promise<Server> {
  const root = projectRoot();
  const build = (await import(pathToFileURL(join(root, "build", "index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  app.use(guard()); // Host allow-list, cross-origin writes, security headers and the CSP nonce (server/guard.ts)
  app.use(limitUnannouncedBodies()); // a chunked body (no Content-Length) is counted as it arrives: over 2 MB, 413
  app.use("/build", express.static(join(root, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(join(root, "public"), { maxAge: "1h" }));
  const handle = createRequestHandler(build, process.env.NODE_ENV ?? "production");
  // the app's own connection (getDb keeps one per process), so that its writes count in the cache's version
  const cache = process.env.PAGE_CACHE === "off" ? null : new PageCache(getDb().$client);
  app.all("*", async (req, res, next) => {
    try {
      const nonce = res.locals.nonce as string;
      const key = cache?.keyOf(req) ?? null;
      if (!key) {
        const response = await handle(createRemixRequest(req, res), { nonce });
        // a write (done once the action answered) or a poll of an import job (which commits in its own time): this
        // visitor's next pages must show it (server/page-cache.ts)
        if (cache && (req.method !== "GET" || req.path.startsWith("/api/imports/")))
          res.append("Set-Cookie", cache.wroteCookie());
        return void (await sendRemixResponse(res, response));
      }
      // a shared render is not cancelled when the client that started it leaves: others wait for it
      const produce = () => handle(createRemixRequest(req, null), { nonce });
      const { answer, from } = await cache!.answer(key, produce, { wroteAt: cache!.wroteAt(req), nonce });
      res.statusMessage = answer.statusText;
      res.status(answer.status);
      for (const [name, value] of answer.headers) res.append(name, value);
      res.append("X-Page-Cache", from); // kept, kept while its successor renders, or rendered for this request
      res.end(swapNonce(answer.body, answer.nonce, nonce));
    } catch (error) {
      next(error);
    }
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.on("error", reject);
  });
}

// As @remix-run/express does (its own helpers are not exported): the Fetch request of an Express request, aborted when
// the client goes away before the answer is sent, and the Fetch response written back.
function createRemixRequest(req: ExpressRequest, res: ExpressResponse | null): Request {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get("host") ?? "localhost"}`);
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (Array.isArray(values)) for (const value of values) headers.append(key, value);
    else if (values) headers.set(key, values);
  }
  let controller: AbortController | null = new AbortController();
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = bufferedBody(req) ?? createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  res?.on("finish", () => (controller = null));
  res?.on("close", () => controller?.abort());
  return new Request(url.href, init);
}

async function sendRemixResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (response.headers.get("Content-Type")?.match(/text\/event-stream/i)) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
