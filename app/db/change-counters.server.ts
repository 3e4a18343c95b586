import type Database from "better-sqlite3";

// What each table belongs to, for the page cache (docs/decisions/0019-cache-keys-per-area.md): a page is kept while the
// areas it read have not changed. An area's counter is bumped by triggers on its small tables
// (drizzle/0006_change_counters.sql), in the writer's own transaction and whatever process writes: the web workers, an
// import's child, the CLI. The large tables carry no trigger (one per row would slow an import of millions of lines):
// each is written only together with a small table of its area, which moves the counter: lines, orders, products and
// customers with their `datasets` row (an import inserts it, an update rewrites its dates and report, a delete removes
// it); customer_rfm with `segment_runs` (a derive, choosing k); assignments with `experiments` and
// `experiment_history` (a start); experiment_outcomes with `experiment_results`.

export const AREAS = ["data", "segments", "personas", "audiences", "experiments"] as const;
export type Area = (typeof AREAS)[number];

/** Every table but change_counters itself: its area, and whether a trigger counts its writes. */
export const TABLE_AREAS: Record<string, { area: Area; trigger: boolean }> = {
  datasets: { area: "data", trigger: true },
  settings: { area: "data", trigger: true },
  warehouse_sources: { area: "data", trigger: true },
  dataset_imports: { area: "data", trigger: true },
  lines: { area: "data", trigger: false },
  orders: { area: "data", trigger: false },
  products: { area: "data", trigger: false },
  customers: { area: "data", trigger: false },
  segment_runs: { area: "segments", trigger: true },
  persona_runs: { area: "segments", trigger: true },
  personas: { area: "segments", trigger: true },
  customer_rfm: { area: "segments", trigger: false },
  audiences: { area: "audiences", trigger: true },
  experiments: { area: "experiments", trigger: true },
  experiment_history: { area: "experiments", trigger: true },
  experiment_versions: { area: "experiments", trigger: true },
  experiment_results: { area: "experiments", trigger: true },
  assignments: { area: "experiments", trigger: false },
  experiment_outcomes: { area: "experiments", trigger: false },
};

// any mention of a table's name, quoted or not (a column of the same name, as orders.lines, only adds an area)
const MENTION = new RegExp(`\\b(${Object.keys(TABLE_AREAS).join("|")})\\b`, "gi");
// Choosing k rewrites only segment_runs.chosen_k and customer_rfm.persona: a statement naming either column reads the
// "personas" area too (drizzle lists every column it selects; no statement here reads these tables with `*`), and its
// trigger counts only that column's updates (drizzle/0007_personas_counter.sql). The segments (RFM) stay: the board,
// the experiments list and a segment's audience size do not depend on k.
const PERSONA_COLUMNS = /\b(persona|chosen_k)\b/i;
const areasOfSql = new Map<string, Area[]>();

/** The areas a statement reads, from its text (memoised: statements repeat). */
export function areasOf(sql: string): Area[] {
  let areas = areasOfSql.get(sql);
  if (!areas) {
    const named = new Set([...sql.matchAll(MENTION)].map((m) => TABLE_AREAS[m[1].toLowerCase()].area));
    if (named.has("segments") && PERSONA_COLUMNS.test(sql)) named.add("personas");
    areas = [...named];
    if (areasOfSql.size > 5_000) areasOfSql.clear(); // statements with their values inlined would otherwise pile up
    areasOfSql.set(sql, areas);
  }
  return areas;
}

const statements = new WeakMap<Database.Database, Database.Statement<[]>>();

/** Each area's counter as this connection sees it now (one small read; hand-written, decision 0015: versions). */
export function changeCounts(sqlite: Database.Database): Record<Area, number> {
  let read = statements.get(sqlite);
  if (!read) statements.set(sqlite, (read = sqlite.prepare<[]>("SELECT area, n FROM change_counters").raw()));
  const counts = { data: 0, segments: 0, personas: 0, audiences: 0, experiments: 0 };
  for (const [area, n] of read.all() as [Area, number][]) counts[area] = n;
  return counts;
}
