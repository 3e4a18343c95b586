import { AsyncLocalStorage } from "node:async_hooks";
import type { Request as ExpressRequest } from "express";
import type Database from "better-sqlite3";
import { AREAS, areasOf, changeCounts, type Area } from "~/db/change-counters.server";

// Rendered GET responses (pages, their `.data` loads, JSON reports) kept per web worker, each with the areas of the
// data its render read (docs/decisions/0019-cache-keys-per-area.md): a page stays while those areas are unchanged, so
// choosing k re-renders the pages that read segments and leaves the revenue pages cached. Which areas a render read is
// seen, not declared: every statement the render runs on the app's connection names its tables (AsyncLocalStorage
// follows the render through its awaits), and app/db/change-counters.server.ts maps tables to areas, whose counters
// triggers bump in the writer's transaction, whichever process writes. "Did anything change" is still SQLite's own
// cheap signal (`PRAGMA data_version` for other connections' commits, `total_changes()` for this one's); the
// counters are read again only when it moved.
//
// After a change, the first visitor of a page renders it and waits for it (so a client that wrote and then reads,
// whatever it is, gets the new page); visitors arriving while that render runs get the page as it was rather than
// queue behind it, for at most CHANGED_STALE_MS. Never the one who wrote: a write answers with a cookie holding its
// time (`campaign_lab_wrote`), and a visitor carrying it gets only a page rendered after it. Import jobs commit later
// than their POST, so each poll of a job renews the cookie (server/serve.ts).
//
// No page reads the clock today, but one might ("started 3 days ago"), so an answer is rendered again after five
// minutes (TTL_MS), in the background while the old one is still served for up to five more minutes, one refresh at a
// time: a synchronous expiry made every page expire in the same second (docs/decisions/0013-think-time.md).

type Counts = Record<Area, number>;
type Cached = {
  /** The counter of each area the render read, as it was before the render began. */
  deps: Partial<Counts>;
  /** When its render began (the writer cookie's clock). */
  started: number;
  at: number;
  ttl: number;
  /** When a change of its areas was first seen (it is then served only while its successor renders). */
  changedAt?: number;
  answer: Answer;
};
export type Answer = { status: number; statusText: string; headers: [string, string][]; body: Buffer; nonce?: string };

const MAX_ENTRIES = 500;
const MAX_BYTES = 64 * 1024 ** 2;
const TTL_MS = 300_000;
/** How long past its TTL an answer is still served while its refresh renders. */
const STALE_MS = 300_000;
/** How long after a change of its data a page is still served to others while its successor renders. */
const CHANGED_STALE_MS = 30_000;
/**
 * Answers kept: a page, and a redirect (as `/?from=…` → `/overview?from=…`), which like a page depends only on its URL
 * and the data its loader read (it was rendered on every visit).
 */
const KEPT_STATUSES = new Set([200, 301, 302, 303, 307, 308]);
/** Paths whose answer depends on more than the database: import jobs' state (memory and files) and uploads. */
const UNCACHED = /^\/api\/(imports|uploads)(\/|\?|$)/;
/** The cookie a write answers with: when it was done, on the cache's clock. */
export const WROTE_COOKIE = "campaign_lab_wrote";
const WROTE = new RegExp(`(?:^|;\\s*)${WROTE_COOKIE}=(\\d+)`);

export class PageCache {
  private entries = new Map<string, Cached>();
  private inflight = new Map<string, { started: number; done: Promise<Answer> }>();
  private bytes = 0;
  private queued = new Set<string>();
  private refreshing: Promise<unknown> = Promise.resolve();
  private readonly reads = new AsyncLocalStorage<Set<Area>>();
  private readonly dataVersion: Database.Statement;
  private readonly changes: Database.Statement;
  private signal = "";
  private counts: Counts = { data: -1, segments: -1, personas: -1, audiences: -1, experiments: -1 };

  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly changedStaleMs: number;
  readonly now: () => number;

  constructor(
    private readonly sqlite: Database.Database,
    options: { ttlMs?: number; staleMs?: number; changedStaleMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? TTL_MS;
    this.staleMs = options.staleMs ?? STALE_MS;
    this.changedStaleMs = options.changedStaleMs ?? CHANGED_STALE_MS;
    this.now = options.now ?? Date.now;
    this.dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
    this.changes = sqlite.prepare("SELECT total_changes()").pluck();
    this.trackReads();
  }

  /**
   * Every statement prepared on the connection from now on notes the areas it reads into the render running it. A
   * statement is prepared once and run by many renders (the stores keep theirs), so the note is taken per run.
   */
  private trackReads(): void {
    const prepare = this.sqlite.prepare.bind(this.sqlite);
    const reads = this.reads;
    this.sqlite.prepare = ((source: string) => {
      const statement = prepare(source);
      const areas = statement.reader ? areasOf(source) : [];
      if (!areas.length) return statement;
      const methods = statement as unknown as Record<"get" | "all" | "iterate", (...args: unknown[]) => unknown>;
      for (const name of ["get", "all", "iterate"] as const) {
        const run = methods[name];
        methods[name] = function (this: unknown, ...args: unknown[]) {
          const seen = reads.getStore();
          if (seen) for (const area of areas) seen.add(area);
          return run.apply(this, args);
        };
      }
      return statement;
    }) as typeof this.sqlite.prepare;
  }

  /** Each area's counter now; read again only when SQLite says something was committed since. */
  private current(): Counts {
    const signal = `${this.dataVersion.get()}:${this.changes.get()}`;
    if (signal !== this.signal) {
      this.counts = changeCounts(this.sqlite);
      this.signal = signal;
    }
    return this.counts;
  }

  keyOf(req: ExpressRequest): string | null {
    if (req.method !== "GET" || UNCACHED.test(req.path)) return null;
    // a request with cookies of its own is answered for it alone (none of the app's today); the write cookie is ours
    const others = (req.get("cookie") ?? "").replace(WROTE, "").replace(/^[\s;]+|[\s;]+$/g, "");
    return others ? null : req.originalUrl;
  }

  /** When the visitor last wrote (its cookie), or 0. */
  wroteAt(req: ExpressRequest): number {
    return Number(WROTE.exec(req.get("cookie") ?? "")?.[1] ?? 0);
  }

  /** The Set-Cookie value that marks a visitor's write as done now. */
  wroteCookie(): string {
    return `${WROTE_COOKIE}=${this.now()}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax`;
  }

  /**
   * The answer for `key`: kept (its areas unchanged, younger than its TTL), kept and past its TTL (a refresh renders
   * meanwhile), kept and changed but its successor is already rendering (not for the visitor who wrote after it), or
   * rendered now.
   */
  async answer(
    key: string,
    produce: () => Promise<Response>,
    { wroteAt = 0, nonce }: AnswerOptions = {},
  ): Promise<{ answer: Answer; from: "cache" | "stale" | "render" }> {
    const counts = this.current();
    const hit = this.entries.get(key);
    if (hit) {
      const now = this.now();
      const age = now - hit.at;
      if (unchanged(hit, counts)) {
        if (age <= hit.ttl) return { answer: hit.answer, from: "cache" };
        if (age <= hit.ttl + this.staleMs) {
          this.refreshLater(key, counts, produce, nonce);
          return { answer: hit.answer, from: "stale" };
        }
      } else {
        hit.changedAt ??= now;
        const successor = this.inflight.get(idOf(key, counts));
        if (successor && hit.started > wroteAt && now - hit.changedAt <= this.changedStaleMs)
          return { answer: hit.answer, from: "stale" };
      }
    }
    return { answer: await this.render(key, counts, produce, { wroteAt, nonce }), from: "render" };
  }

  /**
   * Renders once however many requests ask for the same page of the same data meanwhile (a hundred connections asking
   * for a cold page would otherwise render it a hundred times), but never hands a visitor a render that began before
   * their write; keeps a complete page or redirect without cookies.
   */
  private render(
    key: string,
    counts: Counts,
    produce: () => Promise<Response>,
    options: AnswerOptions = {},
  ): Promise<Answer> {
    const id = idOf(key, counts);
    const pending = this.inflight.get(id);
    if (pending && pending.started > (options.wroteAt ?? 0)) return pending.done;
    const started = this.now();
    const read = new Set<Area>();
    const done = this.reads
      .run(read, produce)
      .then(async (response) => {
        const answer: Answer = {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers.entries()],
          body: Buffer.from(await response.arrayBuffer()),
          nonce: options.nonce,
        };
        // an answer that says not to keep it (a "fitting…" page, refreshed until the fit is ready) is never kept
        const noStore = /no-store/i.test(response.headers.get("cache-control") ?? "");
        if (
          KEPT_STATUSES.has(answer.status) &&
          !noStore &&
          !response.headers.has("set-cookie") &&
          answer.body.length <= MAX_BYTES / 8
        )
          this.keep(key, { deps: depsOf(read, counts), started, answer });
        return answer;
      })
      .finally(() => this.inflight.get(id)?.done === done && this.inflight.delete(id));
    this.inflight.set(id, { started, done });
    return done;
  }

  /**
   * Background refreshes run one after another, each after the answers already waiting (setImmediate): a render holds
   * its worker's event loop for its synchronous part, so several at once would hold every visitor of that worker.
   */
  private refreshLater(key: string, counts: Counts, produce: () => Promise<Response>, nonce?: string): void {
    const id = idOf(key, counts);
    if (this.queued.has(id) || this.inflight.has(id)) return;
    this.queued.add(id);
    this.refreshing = this.refreshing
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.render(key, this.current(), produce, { nonce }))
      .catch(() => undefined) // the old answer stays until it is too old; the next visitor renders then
      .finally(() => this.queued.delete(id));
  }

  private keep(key: string, entry: Omit<Cached, "at" | "ttl">): void {
    const old = this.entries.get(key);
    if (old) {
      if (old.started > entry.started) return; // a later render (after a change) already replaced it
      this.bytes -= old.answer.body.length;
      this.entries.delete(key);
    }
    // answers rendered in the same second (a warm-up, a burst after a change) are refreshed over a quarter of the TTL
    this.entries.set(key, { ...entry, at: this.now(), ttl: this.ttlMs * (0.75 + 0.25 * Math.random()) });
    this.bytes += entry.answer.body.length;
    while (this.entries.size > MAX_ENTRIES || this.bytes > MAX_BYTES) {
      const [oldest, dropped] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.bytes -= dropped.answer.body.length;
    }
  }
}

type AnswerOptions = { wroteAt?: number; nonce?: string };

const idOf = (key: string, counts: Counts) => `${AREAS.map((a) => counts[a]).join(":")} ${key}`;

const unchanged = (entry: Cached, counts: Counts) =>
  AREAS.every((area) => entry.deps[area] === undefined || entry.deps[area] === counts[area]);

const depsOf = (read: Set<Area>, counts: Counts): Partial<Counts> =>
  Object.fromEntries([...read].map((area) => [area, counts[area]]));
