import { createRequire } from "node:module";
import type Pg from "pg";
import { AppError } from "~/lib/errors";
import { quoteTable } from "~/lib/sql-names";
import type { WarehouseQuery } from "~/types/warehouse";

// The user's PostgreSQL (issue 17): only SELECTs, each in a READ ONLY transaction with a statement timeout; the
// connection string never leaves this module unmasked (errors and logs carry maskUrl's form).

/** How long one figure's query may run before PostgreSQL cancels it (WAREHOUSE_TIMEOUT_MS overrides). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 120_000;

/** The URL with its password (user:password@ or password=…) replaced by ***: what logs, pages and errors show. */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:?#]*):[^@/?#]*@/i, "$1:***@")
    .replace(/([?&]password=)[^&#]*/gi, "$1***");
}

/** The password written in a URL, to scrub from any message that might echo it. */
function passwordOf(url: string): string | null {
  try {
    const u = new URL(url.replace("@/", "@localhost/"));
    return (u.password ? decodeURIComponent(u.password) : null) ?? u.searchParams.get("password");
  } catch {
    return /[?&]password=([^&#]*)/i.exec(url)?.[1] ?? null;
  }
}

/** Checks the form of a libpq URL (postgres:// or postgresql://, a unix-socket host as ?host=/dir works too). */
export function checkWarehouseUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//i.test(url.trim()))
    throw new AppError(
      "url must be a PostgreSQL URL: postgresql://user:password@host:5432/db or postgresql:///db?host=/socket/dir",
    );
  try {
    // libpq allows an empty host before a path (postgresql://user:pw@/db?host=/dir); WHATWG URL does not
    new URL(url.trim().replace("@/", "@localhost/"));
  } catch {
    throw new AppError(`url is not a valid URL: ${maskUrl(url)}`);
  }
}

let loaded: typeof Pg | undefined;
/** The PostgreSQL client, loaded on first use: loading it took 0.1 s of every start (the CLI's import, the server). */
export function pg(): typeof Pg {
  return (loaded ??= createRequire(import.meta.url)("pg") as typeof Pg);
}

// int8 (counts, sums of thousandths) and numeric as numbers: every figure stays below 2⁵³ (the import's own bound)
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg().types.getTypeParser(oid, format);
  },
};

/** A one-line message for a failed connection or query, naming what to fix, with no password in it. */
export function warehouseError(err: unknown, url: string): AppError {
  const e = err as { code?: string; message?: string };
  const masked = maskUrl(url);
  let message: string;
  switch (e.code) {
    case "28P01":
    case "28000":
      message = `the warehouse refused the credentials (${masked}): ${e.message}`;
      break;
    case "3D000":
      message = `the warehouse has no such database (${masked}): ${e.message}`;
      break;
    case "42P01":
      message = `the warehouse has no such table: ${e.message}`;
      break;
    case "42703":
      message = `a mapped column is missing from the table: ${e.message}`;
      break;
    case "42501":
      message = `the warehouse user may not read the table: ${e.message}`;
      break;
    case "57014":
      message = `the warehouse query ran past its time limit and was cancelled: ${e.message}`;
      break;
    case "ECONNREFUSED":
    case "ENOENT":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
      message = `cannot reach the warehouse at ${masked} (${e.code})`;
      break;
    default:
      message = `warehouse error: ${e.message ?? String(err)}`;
  }
  const password = passwordOf(url);
  if (password) message = message.split(password).join("***");
  return new AppError(message.replace(/\s+/g, " ").trim());
}

export type WarehouseOptions = {
  statementTimeoutMs?: number;
  maxConnections?: number;
  workMem?: string;
  /** How long connecting may take (not counting the wait for a free connection). */
  connectTimeoutMs?: number;
};

/** Memory each sort or hash of a figure's query may use before spilling to disk (WAREHOUSE_WORK_MEM overrides). */
export const DEFAULT_WORK_MEM = "256MB";

/**
 * The session settings of a connection that runs builders' queries one statement at a time (the worker bridge,
 * warehouse-sync.server.ts), as libpq's `options` startup parameter: set once when the connection opens, not per query.
 * default_transaction_read_only: PostgreSQL itself refuses any write; UTC: a day is the same on every server.
 */
export function sessionOptions(
  timeoutMs: number,
  workMem = process.env.WAREHOUSE_WORK_MEM ?? DEFAULT_WORK_MEM,
): string {
  if (!/^\d+\s*(kB|MB|GB)$/.test(workMem)) throw new AppError(`work_mem must be like 256MB, got "${workMem}"`);
  return [
    `statement_timeout=${Math.max(1, Math.round(timeoutMs))}`,
    `work_mem=${workMem.replace(/\s+/g, "")}`,
    "default_transaction_read_only=on",
    "TimeZone=UTC",
  ]
    .map((setting) => `-c ${setting}`)
    .join(" ");
}

/** A connection pool to one warehouse; every query is a read-only transaction. */
export class Warehouse {
  readonly maskedUrl: string;
  private readonly pool: Pg.Pool;
  private readonly timeoutMs: number;
  private readonly workMem: string;
  private readonly maxConnections: number;
  private busy = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly url: string,
    options: WarehouseOptions = {},
  ) {
    checkWarehouseUrl(url);
    this.maskedUrl = maskUrl(url);
    const workMem = options.workMem ?? process.env.WAREHOUSE_WORK_MEM ?? DEFAULT_WORK_MEM;
    if (!/^\d+\s*(kB|MB|GB)$/.test(workMem)) throw new AppError(`work_mem must be like 256MB, got "${workMem}"`);
    this.workMem = workMem;
    this.timeoutMs =
      options.statementTimeoutMs ?? (Number(process.env.WAREHOUSE_TIMEOUT_MS) || DEFAULT_STATEMENT_TIMEOUT_MS);
    this.maxConnections = options.maxConnections ?? 2;
    this.pool = new (pg().Pool)({
      connectionString: url.trim(),
      max: this.maxConnections,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: "campaign-lab",
      types,
    });
    // an idle connection dropped by the server must not crash the process: the next query reconnects
    this.pool.on("error", () => {});
  }

  /** Runs one builder's query in a READ ONLY transaction and returns its rows in the in-memory engine's shape. */
  async run<T>(query: WarehouseQuery<T>): Promise<T> {
    const rows = await this.read((client) => client.query(query.text, query.values).then((r) => r.rows));
    return query.read(rows);
  }

  /** The column names of a table or view (no rows read): the mapping form and the missing-column check use them. */
  async columns(table: string): Promise<string[]> {
    let quoted: string;
    try {
      quoted = quoteTable(table);
    } catch (err) {
      throw new AppError((err as Error).message);
    }
    return this.read(async (client) =>
      (await client.query(`SELECT * FROM ${quoted} LIMIT 0`)).fields.map((f) => f.name),
    );
  }

  /** Checks that the warehouse answers (connects, authenticates, runs a read-only transaction). */
  async check(): Promise<{ serverVersion: string }> {
    return this.read(async (client) => ({
      serverVersion: String((await client.query("SHOW server_version")).rows[0].server_version),
    }));
  }

  /**
   * Waits for one of the pool's connections to be free. The pool's connect timeout would also count the time spent
   * queued behind other figures' queries (at 1M lines under load, the overview's tenth query failed with "timeout
   * exceeded when trying to connect"), so queries queue here and the timeout covers connecting only.
   */
  private async slot(): Promise<() => void> {
    if (this.busy < this.maxConnections) this.busy++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.busy--;
    };
  }

  private async read<T>(work: (client: Pg.PoolClient) => Promise<T>): Promise<T> {
    const release = await this.slot();
    try {
      return await this.readOnConnection(work);
    } finally {
      release();
    }
  }

  private async readOnConnection<T>(work: (client: Pg.PoolClient) => Promise<T>): Promise<T> {
    let client: Pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw warehouseError(err, this.url);
    }
    try {
      // READ ONLY: PostgreSQL itself refuses any write, whatever a query says (SQL standard SET TRANSACTION)
      await client.query("BEGIN READ ONLY");
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(this.timeoutMs))}`);
      // the figures group every line (dedup, orders, customers): with the server's default 4 MB each hash spills to disk
      await client.query(`SET LOCAL work_mem = '${this.workMem}'`);
      // timestamps with a time zone are read as UTC wall-clock times, so that a day is the same on every server
      await client.query("SET LOCAL TimeZone = 'UTC'");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw warehouseError(err, this.url);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// One pool per URL per process, kept while the process lives (pages ask many figures of the same warehouse).
const pools = ((globalThis as { __campaignLabWarehouses?: Map<string, Warehouse> }).__campaignLabWarehouses ??= new Map<
  string,
  Warehouse
>());

/** The process's warehouse for a URL (created on first use). */
export function warehouseFor(url: string): Warehouse {
  let w = pools.get(url);
  if (!w) pools.set(url, (w = new Warehouse(url)));
  return w;
}

/** Closes every pool (the CLI calls it before exiting, so that the process ends). */
export async function closeWarehouses(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((w) => w.close()));
}
