// The web's import job process (app/ingest/jobs.server.ts, docs/decisions/0032-job-process-ahead.md): the web server
// starts it while a file is still uploading, so that the import command's modules are loaded and compiled before the
// import is asked for. It then reads its command line (a JSON array, one line) on stdin and runs it exactly as `cli`
// would: the same program, one job per process. Stdin closed without a line (the server stopped, or let this process
// go unused): it exits and runs nothing.

import "./import"; // the module `cli import` loads first thing (cli/main.ts): now, while nothing waits

async function commandLine(): Promise<string[] | null> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    const end = text.indexOf("\n");
    if (end >= 0) return JSON.parse(text.slice(0, end)) as string[];
  }
  return null;
}

const argv = await commandLine();
if (argv) {
  process.stdin.destroy(); // nothing more comes: the event loop must not wait on it
  process.argv = [process.argv[0], process.argv[1], ...argv];
  await import("./main");
}
