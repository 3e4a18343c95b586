import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import type Database from "better-sqlite3";
import { swapNonce } from "./guard";

// Rendered GET responses (pages, their `.data` loads, JSON reports) kept per web worker and reused while the database
// has not changed since (docs/decisions/0012-caches.md). "Changed" is SQLite's own signal: `PRAGMA data_version` moves
// when another connection commits (an import's child process, the other worker), `total_changes()` when this one
// writes. Everything a page shows comes from the database, except what is excluded here: import jobs and uploads
// (memory and files). No page reads the clock today, but one might ("started 3 days ago"), so an answer is rendered
// again after five minutes (TTL_MS), in the background while the old one is still served for up to five more minutes,
// one refresh at a time. A synchronous expiry made every page cached in the same second expire in the same second, and
// a hundred visitors waited behind all those renders at once (the think-time run's p99 of 0.5–8.6 s, issue 15;
// docs/decisions/0013-think-time.md). A database change is never served stale: its version no longer matches.

// A page keeps the CSP nonce it was rendered with (`nonce`): each response that reuses it swaps in its own
// (server/guard.ts swapNonce), so a cached page's scripts run under the policy sent with it.
type Cached = {
  version: string;
  at: number;
  ttl: number;
  status: number;
  headers: [string, string][];
  body: Buffer;
  nonce?: string;
};
export type Answer = { status: number; statusText: string; headers: [string, string][]; body: Buffer; nonce?: string };

const MAX_ENTRIES = 500;
const MAX_BYTES = 64 * 1024 ** 2;
const TTL_MS = 300_000;
/** How long past its TTL an answer is still served while its refresh renders. */
const STALE_MS = 300_000;
/** Paths whose answer depends on more than the database. */
const UNCACHED = /^\/(data(\.data)?|api\/imports|api\/uploads)(\/|\?|$)/;

export class PageCache {
  private entries = new Map<string, Cached>();
  private inflight = new Map<string, Promise<Answer>>();
  private bytes = 0;
  private queued = new Set<string>();
  private refreshing: Promise<unknown> = Promise.resolve();
  private readonly dataVersion: Database.Statement;
  private readonly changes: Database.Statement;

  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;

  constructor(sqlite: Database.Database, options: { ttlMs?: number; staleMs?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? TTL_MS;
    this.staleMs = options.staleMs ?? STALE_MS;
    this.now = options.now ?? Date.now;
    this.dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
    this.changes = sqlite.prepare("SELECT total_changes()").pluck();
  }

  /** The database's version as this connection sees it: read before rendering, so a write during it is a miss next. */
  version(): string {
    return `${this.dataVersion.get()}:${this.changes.get()}`;
  }

  keyOf(req: ExpressRequest): string | null {
    if (req.method !== "GET" || UNCACHED.test(req.path) || req.get("cookie")) return null;
    return req.originalUrl;
  }

  /**
   * Sends the cached answer when the database has not changed since it was rendered and it is younger than the TTL; an
   * older one (by less than STALE_MS more) is sent too while `refresh` renders its successor in the background.
   */
  serve(
    key: string,
    version: string,
    res: ExpressResponse,
    nonce?: string,
    refresh?: () => Promise<Response>,
  ): boolean {
    const hit = this.entries.get(key);
    if (!hit || hit.version !== version) return false;
    const age = this.now() - hit.at;
    if (age > hit.ttl + (refresh ? this.staleMs : 0)) return false;
    if (age > hit.ttl) this.refreshLater(key, version, refresh!, nonce);
    res.status(hit.status);
    for (const [name, value] of hit.headers) res.append(name, value);
    res.end(nonce ? swapNonce(hit.body, hit.nonce, nonce) : hit.body);
    return true;
  }

  /**
   * Renders a missing answer once however many requests ask for it meanwhile (under load, a hundred connections asking
   * for the same cold page would otherwise render it a hundred times), and keeps it when it is a complete 200 answer
   * without cookies.
   */
  render(key: string, version: string, produce: () => Promise<Response>, nonce?: string): Promise<Answer> {
    const id = `${version} ${key}`;
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = produce()
        .then(async (response) => {
          const answer: Answer = {
            status: response.status,
            statusText: response.statusText,
            headers: [...response.headers.entries()],
            body: Buffer.from(await response.arrayBuffer()),
            nonce,
          };
          // an answer that says not to keep it (a "fitting…" page, refreshed until the fit is ready) is never kept
          const noStore = /no-store/i.test(response.headers.get("cache-control") ?? "");
          if (
            answer.status === 200 &&
            !noStore &&
            !response.headers.has("set-cookie") &&
            answer.body.length <= MAX_BYTES / 8
          )
            this.keep(key, version, answer);
          return answer;
        })
        .finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  /**
   * Background refreshes run one after another, each after the answers already waiting (setImmediate): a render holds
   * its worker's event loop for its synchronous part, so several at once would hold every visitor of that worker.
   */
  private refreshLater(key: string, version: string, produce: () => Promise<Response>, nonce?: string): void {
    const id = `${version} ${key}`;
    if (this.queued.has(id) || this.inflight.has(id)) return;
    this.queued.add(id);
    this.refreshing = this.refreshing
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.render(key, version, produce, nonce))
      .catch(() => undefined) // the old answer stays until it is too old; the next visitor renders then
      .finally(() => this.queued.delete(id));
  }

  private keep(key: string, version: string, answer: Answer): void {
    const body = answer.body;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, {
      version,
      at: this.now(),
      // answers rendered in the same second (a warm-up, a burst after a change) are refreshed over a quarter of the TTL
      ttl: this.ttlMs * (0.75 + 0.25 * Math.random()),
      status: answer.status,
      headers: answer.headers,
      body,
      nonce: answer.nonce,
    });
    this.bytes += body.length;
    while (this.entries.size > MAX_ENTRIES || this.bytes > MAX_BYTES) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length;
    }
  }
}
