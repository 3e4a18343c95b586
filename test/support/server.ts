import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "./cli";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Starts the built app (`npm start` without the build step: dist/server.js) on a free port; the pid held is the server's own. */
export async function startServer(
  env: Record<string, string>,
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<{ url: string; pid: number; stop: () => Promise<void>; log: () => string }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["dist/server.js"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), timeoutMs);
    child.stdout!.on("data", () => output.includes("is running on") && (clearTimeout(timer), resolve()));
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`the server exited with ${code}:\n${output}`))));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    log: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
