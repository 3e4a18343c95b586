import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Server } from "node:http";
import { projectRoot } from "~/db/paths.server";

/** Serves the built Remix app (build/index.js, public/build) with Express; resolves once it listens. */
export async function serve(host: string, port: number): Promise<Server> {
  const root = projectRoot();
  const build = (await import(pathToFileURL(join(root, "build", "index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  app.use("/build", express.static(join(root, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(join(root, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production" }));
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.on("error", reject);
  });
}
