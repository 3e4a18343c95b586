import { spawn, type ChildProcess } from "node:child_process";
import { processAlive, processWide } from "~/lib/process.server";
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getPriority, setPriority } from "node:os";
import { createInterface } from "node:readline";
import { databasePath, projectRoot } from "~/db/paths.server";
import type { DateFormat } from "./dates";
import type { ColumnMap } from "./formats";
import type { ImportProgress } from "./import.server";
import type { ImportReport, UpdateReport } from "./report";
import { removeUpload, type Upload } from "./uploads.server";
import type { ErrorCode } from "~/lib/errors";
import type { WarehouseProgress } from "~/types/warehouse";

// Imports started from the web UI run in a child process (the CLI's own `import` command): the one way in, a separate
// SQLite connection whose transaction the server never sees half-done, and a server that stays responsive meanwhile.

export type ImportJob = {
  id: string;
  /** "reread": a warehouse data set's table read again (issue 17), run as an import is; absent: an import or update. */
  kind?: "reread";
  /** The file imported, or the warehouse table read again. */
  fileName: string;
  status: "running" | "done" | "failed";
  progress: ImportProgress | WarehouseProgress | null;
  /**
   * An import's report, or an update's (kind "update"): set once its transaction has committed, while the process may
   * still be writing the column file (the data set is ready then; status turns "done" when the process ends).
   */
  report: ImportReport | UpdateReport | null;
  error: string | null;
  /** The refusal was because the file or name already exists: the UI offers to replace. */
  canReplace: boolean;
  /** Imports ahead of this one in the queue (0: it runs now); imports run one at a time across the web workers. */
  queuePosition?: number;
};

/**
 * The job records this process keeps in memory, bounded (#12 item 4): a finished record leaves after `keepFinishedMs`
 * (its file answers for a day), and past `max` records the oldest finished ones leave first; running ones stay.
 * `now` is injectable so that a test can move the clock.
 */
export class JobRecords {
  private readonly jobs = new Map<string, ImportJob>();
  /** Finished jobs by finishing time, oldest first (a Map keeps insertion order). */
  private readonly finishedAt = new Map<string, number>();

  constructor(
    readonly max = 50,
    readonly keepFinishedMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  get(id: string): ImportJob | undefined {
    return this.jobs.get(id);
  }

  /** Keeps a new (running) job, after dropping what the bound says must go; returns the ids dropped. */
  add(job: ImportJob): string[] {
    const dropped = this.prune();
    this.jobs.set(job.id, job);
    return dropped;
  }

  /** Marks a job finished now: from here on it may be dropped. */
  finish(id: string): void {
    this.finishedAt.set(id, this.now());
  }

  /** Drops expired finished records, then the oldest finished ones while over the bound; returns the ids dropped. */
  prune(): string[] {
    const now = this.now();
    const dropped: string[] = [];
    for (const [id, at] of this.finishedAt) {
      if (now - at <= this.keepFinishedMs && this.jobs.size < this.max) continue;
      this.jobs.delete(id);
      this.finishedAt.delete(id);
      dropped.push(id);
    }
    return dropped;
  }
}

const jobs = processWide("job-records", () => new JobRecords());
/** An error kept in a job record: one line, its quote of the file cut (a 50 MB line was kept whole, four times). */
const MAX_ERROR_CHARS = 500;

// The server runs one process per core: the job's state is also written beside the database, so that whichever
// process a poll reaches can answer it (the one that started the job answers from memory).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const jobsDir = () => join(dirname(databasePath()), "imports");
const jobFile = (id: string) => join(jobsDir(), `${id}.json`);
const written = new Map<string, number>();

/** Who follows each of this process's jobs (GET /api/imports/:id/events): told of every change as it happens. */
const watchers = new Map<string, Set<(job: ImportJob) => void>>();

function saveJob(job: ImportJob, force = false): void {
  for (const tell of watchers.get(job.id) ?? []) tell(job);
  const now = Date.now();
  if (!force && now - (written.get(job.id) ?? 0) < 200) return;
  written.set(job.id, now);
  try {
    mkdirSync(jobsDir(), { recursive: true });
    const tmp = `${jobFile(job.id)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(job));
    renameSync(tmp, jobFile(job.id));
  } catch {
    /* the starting process still answers from memory */
  }
}

export type StartImport = {
  upload: Upload;
  name?: string;
  map?: ColumnMap;
  dateFormat?: DateFormat;
  replace?: boolean;
  /** Add the file's newer lines to this data set (issue 13) instead of importing a new one. */
  update?: number;
  /** Keep only the lines dated up to this day (YYYY-MM-DD). */
  until?: string;
  currency?: string;
  /** Called once the import has landed (later stages warm their caches here; ingest does not know them). */
  onDone?: () => void;
};

// The import queue (#12 item 6): one import at a time per database, across every web worker. Each job takes a numbered
// ticket (a file named by the time and its id) in a folder beside the database; it starts when no live ticket is ahead
// of it. A ticket whose process is gone (a worker that died) is dropped.
const queueDir = () => join(dirname(databasePath()), "import-queue");
let lastTicket = 0;

function takeTicket(jobId: string): string {
  mkdirSync(queueDir(), { recursive: true });
  lastTicket = Math.max(Date.now(), lastTicket + 1);
  const name = `${String(lastTicket).padStart(15, "0")}-${jobId}.ticket`;
  writeFileSync(join(queueDir(), name), JSON.stringify({ pid: process.pid }));
  return name;
}

/** Live tickets ahead of this one (dead ones are removed on the way). */
function ticketsAhead(ticket: string): number {
  let ahead = 0;
  for (const name of readdirSync(queueDir())
    .filter((n) => n.endsWith(".ticket"))
    .sort()) {
    if (name >= ticket) break;
    try {
      const { pid } = JSON.parse(readFileSync(join(queueDir(), name), "utf8")) as { pid: number };
      if (processAlive(pid)) ahead++;
      else rmSync(join(queueDir(), name), { force: true });
    } catch {
      /* taken away meanwhile */
    }
  }
  return ahead;
}

const WARM_AFTER_MS = 1_000;

/**
 * The program a job runs, `cli` or `job` (cli/job.ts): a server started from the build (dist/server.js, as `npm start`
 * does) runs the same build's file directly (scripts/run.mjs would first walk the sources to see whether the build is
 * stale: 0.1 s per import); otherwise (tests that call the module) through scripts/run.mjs, which rebuilds a stale build.
 */
function entry(root: string, name: "cli" | "job"): string[] {
  return process.argv[1] === join(root, "dist", "server.js")
    ? [join(root, "dist", `${name}.js`)]
    : [join(root, "scripts", "run.mjs"), name];
}

// The next import's process, started ahead (docs/decisions/0032-job-process-ahead.md): node and the import command's
// modules take about 0.5 s to load, which a file's import waited for after its upload. The Data page's upload panel and
// an upload start it (cli/job.ts: it loads them, then waits for its command line on stdin); the import that follows
// takes it, or starts one as before when there is none. Still one process per job, run by the CLI's own code. At most
// one waits per web worker, and it goes after AHEAD_IDLE_MS unused.
const AHEAD_IDLE_MS = 10 * 60_000;
const processAhead = processWide("job-process-ahead", () => ({
  next: null as { child: ChildProcess; idle: NodeJS.Timeout } | null,
}));
const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Starts the next job's process unless one is waiting already (then it waits `idleMs` again from now). */
export function startJobProcessAhead({ idleMs = AHEAD_IDLE_MS } = {}): void {
  const waiting = processAhead.next;
  if (waiting && running(waiting.child)) return void waiting.idle.refresh();
  const root = projectRoot();
  const child = spawn(process.execPath, entry(root, "job"), { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.on("error", () => undefined); // it died before its command line was written: "close" says so
  child.once("exit", () => processAhead.next?.child === child && (processAhead.next = null));
  processAhead.next = { child, idle: setTimeout(() => child.kill(), idleMs).unref() };
}

/** The pid of the process waiting for the next job, if one is. */
export function waitingJobProcess(): number | null {
  const waiting = processAhead.next;
  return waiting && running(waiting.child) ? (waiting.child.pid ?? null) : null;
}

/** A process running `cli <args>`: the one started ahead when it is still there, else a new one. */
function jobProcess(args: string[]): ChildProcess {
  const root = projectRoot();
  const waiting = processAhead.next;
  processAhead.next = null;
  if (waiting) clearTimeout(waiting.idle);
  if (waiting && running(waiting.child)) {
    waiting.child.stdin!.end(JSON.stringify(args) + "\n");
    return waiting.child;
  }
  return spawn(process.execPath, [...entry(root, "cli"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
}

type ChildLine = {
  progress?: ImportProgress | WarehouseProgress;
  report?: ImportReport | UpdateReport;
  error?: { code: ErrorCode | null; message: string };
};

export function startImport({
  upload,
  name,
  map,
  dateFormat,
  replace,
  update,
  until,
  currency,
  onDone,
}: StartImport): ImportJob {
  // every value rides in its option (--name=value): a name starting with "-" is never read as an option (#12 item 8)
  const args = ["import", "--json", "--progress-json", `--db=${databasePath()}`, `--file-name=${upload.fileName}`];
  if (name) args.push(`--workspace=${name}`);
  for (const [field, column] of Object.entries(map ?? {})) if (column) args.push(`--map=${field}=${column}`);
  if (dateFormat) args.push("--date-format", dateFormat);
  if (replace) args.push("--replace");
  if (update !== undefined) args.push("--update-id", String(update));
  if (until) args.push("--until", until);
  if (currency && update === undefined) args.push("--currency", currency);
  args.push("--", upload.path);
  return startJob({ fileName: upload.fileName }, args, {
    onDone,
    // an update is never replaced
    canReplace: (code) => code === "conflict" && update === undefined,
    // the upload goes once its import is over (#12 item 7), except when the user is offered to replace with it; an
    // upload left behind (a refused import never replaced, an abandoned mapping) is swept after a day
    cleanup: async (job) => {
      if (!job.canReplace) await removeUpload(upload);
    },
  });
}

/**
 * Reads a warehouse data set's table again (issue 17) as a job, in the queue with imports and run by the CLI's own
 * `warehouse reread` in a child process: its stages are polled as an import's (GET /api/imports/:id).
 */
export function startReread({ datasetId, table, onDone }: { datasetId: number; table: string; onDone?: () => void }) {
  const args = ["warehouse", "reread", "--json", "--progress-json", `--db=${databasePath()}`, `--dataset=${datasetId}`];
  return startJob({ fileName: table, kind: "reread" }, args, { onDone });
}

type JobHooks = {
  onDone?: () => void;
  canReplace?: (code: ErrorCode | null) => boolean;
  cleanup?: (job: ImportJob) => Promise<void>;
};

/** Queues a CLI command (`cli <args>`) as a job: it starts once no job is ahead of it in the queue. */
function startJob(what: Pick<ImportJob, "fileName" | "kind">, cliArgs: string[], hooks: JobHooks): ImportJob {
  const job: ImportJob = {
    id: randomUUID(),
    ...what,
    fileName: what.fileName.slice(0, 255),
    status: "running",
    progress: null,
    report: null,
    error: null,
    canReplace: false,
  };
  for (const dropped of jobs.add(job)) written.delete(dropped);
  saveJob(job, true);
  const ticket = takeTicket(job.id);
  const run = () => {
    job.queuePosition = 0;
    saveJob(job, true);
    runChild(job, cliArgs, ticket, hooks);
  };
  const ahead = ticketsAhead(ticket);
  if (ahead === 0) run();
  else {
    job.queuePosition = ahead;
    saveJob(job, true);
    const timer = setInterval(() => {
      const now = ticketsAhead(ticket);
      if (now === 0) {
        clearInterval(timer);
        run();
      } else if (now !== job.queuePosition) {
        job.queuePosition = now;
        saveJob(job, true);
      }
    }, 250);
  }
  return job;
}

function runChild(job: ImportJob, args: string[], ticket: string, { onDone, canReplace, cleanup }: JobHooks): void {
  const child = jobProcess(args);
  let stdout = "";
  let lastError = "";
  let errorCode: ErrorCode | null = null;
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  createInterface({ input: child.stderr! }).on("line", (line) => {
    if (line.startsWith("{")) {
      try {
        const parsed = JSON.parse(line) as ChildLine;
        if (parsed.progress) job.progress = parsed.progress;
        if (parsed.report) {
          job.report = parsed.report; // committed: the page shows it while the column file is written
          lowerPriority(child);
        }
        if (parsed.error) errorCode = parsed.error.code;
        saveJob(job, parsed.report !== undefined);
        return;
      } catch {
        /* not one of the child's JSON lines */
      }
    }
    if (line.trim()) lastError = line.replace(/^error:\s*/, "").slice(0, MAX_ERROR_CHARS);
  });
  child.on("close", async (code, signal) => {
    if (code !== 0) job.canReplace = canReplace?.(errorCode) ?? false;
    // the upload is gone before anyone (a page, the API, a test) learns that the job is over
    await cleanup?.(job).catch(() => undefined);
    if (code === 0) {
      job.report = JSON.parse(stdout) as ImportReport | UpdateReport;
      job.status = "done";
      // loading the new data set holds a worker's event loop for a moment: it starts once the page has learnt the job
      // is done and shown its report (issue 15, the browser flow)
      setTimeout(() => {
        onDone?.();
        process.send?.({ campaignLab: "dataset-changed" }); // the other web workers load the new data set too
      }, WARM_AFTER_MS).unref();
    } else {
      job.error = stoppedMessage(job, lastError, code, signal);
      job.status = "failed";
      if (committed(job.progress)) process.send?.({ campaignLab: "dataset-changed" });
    }
    jobs.finish(job.id);
    saveJob(job, true);
    rmSync(join(queueDir(), ticket), { force: true }); // the next import in the queue starts
  });
}

/**
 * After its commit a job only writes the column file, which the page does not wait for (a queued import does): it yields
 * the cores to the page's report and its list's reload (on two cores the three shared them: the reload took 0.26 s
 * against 0.33 s, medians of 8 alternate runs at load 6-7). On Linux this is its main thread, the one that writes.
 */
export function lowerPriority(child: Pick<ChildProcess, "pid">): void {
  try {
    setPriority(child.pid!, Math.max(10, getPriority(child.pid!))); // never raised: a server started with nice stays so
  } catch {
    /* gone meanwhile, or not allowed here: it keeps its priority */
  }
}

/** The import's transaction had committed (its derived tables with it: app/derive): only the report was left to print. */
const committed = (progress: ImportJob["progress"]) => progress?.stage === "done";

/** What a job that did not end well says: after its commit the data set is in place, before it nothing changed. */
function stoppedMessage(
  { progress, kind }: ImportJob,
  lastError: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): string {
  const how = signal ? `was stopped (${signal})` : `stopped (exit code ${code})`;
  const what = kind === "reread" ? "re-read" : "import";
  if (committed(progress))
    return kind === "reread"
      ? `The table was read again with its segments and is in place; the re-read process then ${how} before reporting.`
      : `The data set was imported with its segments and is in place; the import process then ${how} before reporting.`;
  return lastError || `The ${what} process ${how} before committing: nothing was changed.`;
}

/**
 * Calls `onJob` with the job now and at each change until it has finished; returns the way to stop. A job of this
 * process is told as its child reports; one started by another web worker is read from its file every 100 ms.
 */
export function watchJob(id: string, onJob: (job: ImportJob) => void): () => void {
  const own = jobs.get(id);
  if (own) {
    const set = watchers.get(id) ?? new Set();
    watchers.set(id, set.add(onJob));
    onJob(own);
    return () => {
      set.delete(onJob);
      if (set.size === 0) watchers.delete(id);
    };
  }
  let last = "";
  const read = () => {
    const job = getJob(id);
    const text = JSON.stringify(job);
    if (job && text !== last) ((last = text), onJob(job));
  };
  read();
  const timer = setInterval(read, 100);
  return () => clearInterval(timer);
}

export function getJob(id: string): ImportJob | null {
  const own = jobs.get(id);
  if (own) return own;
  if (!UUID.test(id)) return null;
  try {
    return JSON.parse(readFileSync(jobFile(id), "utf8")) as ImportJob;
  } catch {
    return null;
  }
}
