import { z } from "zod";
import type { Db } from "~/db/db.server";
import { milliToMoney } from "~/ingest/money";
import { AppError } from "~/lib/errors";
import { SEGMENTS } from "./rfm";
import { chosenK, personaCentroids } from "./store.server";
import { audienceConditions, conditionsSql } from "./audience-rule";

// Audiences: a segment, a persona, or a filter over customers; their members are computed live from the stored RFM
// table, so an audience always reflects its data set. Experiments pick them (issue "Experiments I").

const range = z
  .object({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: "min is above max" })
  .optional();

export const audienceDefinitionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("segment"), segment: z.enum(SEGMENTS) }),
  z.object({
    kind: z.literal("persona"),
    k: z.number().int().min(2).max(10),
    cluster: z.number().int().min(0).max(9),
    name: z.string().optional(),
  }),
  z.object({
    kind: z.literal("filter"),
    countries: z.array(z.string().min(1).max(100)).max(100).optional(),
    segments: z.array(z.enum(SEGMENTS)).max(11).optional(),
    recency: range,
    frequency: range,
    monetary: range,
    /** A cell of the R × FM grid (issue 14: "Use as audience" on a grid cell). */
    cell: z.object({ r: z.number().int().min(1).max(5), fm: z.number().int().min(1).max(5) }).optional(),
  }),
]);
export type AudienceDefinition = z.infer<typeof audienceDefinitionSchema>;

export const audienceSchema = z.object({
  name: z.string().trim().min(1, "Give the audience a name").max(120, "The name is longer than 120 characters"),
  definition: audienceDefinitionSchema,
});

export type Audience = {
  id: number;
  datasetId: number;
  name: string;
  kind: string;
  definition: AudienceDefinition;
  createdAt: string;
  updatedAt: string;
};

const COLUMNS = {
  segment: { column: "x.segment" },
  country: { column: "c.country" },
  recency: { column: "x.recency" },
  frequency: { column: "x.frequency" },
  monetary: { column: "x.monetary", scale: 1000 },
  cell: { r: "x.r", f: "x.f", m: "x.m" },
};

/** The WHERE clause selecting an audience's customers in customer_rfm x joined with customers c. */
function where(definition: AudienceDefinition, db: Db, datasetId: number): { sql: string; params: unknown[] } {
  if (definition.kind === "persona") {
    // a persona is a cluster of one k: its members are the customers nearest to that cluster's centroid
    if (chosenK(db, datasetId) !== definition.k) return personaOfOtherK(definition, db, datasetId);
    return { sql: "x.dataset_id = ? AND x.persona = ?", params: [datasetId, definition.cluster] };
  }
  const { clauses, params } = conditionsSql(audienceConditions(definition), COLUMNS);
  return { sql: ["x.dataset_id = ?", ...clauses].join(" AND "), params: [datasetId, ...params] };
}

function personaOfOtherK(
  definition: Extract<AudienceDefinition, { kind: "persona" }>,
  db: Db,
  datasetId: number,
): { sql: string; params: unknown[] } {
  const centroids = personaCentroids(db, datasetId, definition.k);
  const terms = centroids.map(
    (c) =>
      `((x.z_recency - ${c[0]}) * (x.z_recency - ${c[0]}) + (x.z_frequency - ${c[1]}) * (x.z_frequency - ${c[1]}) + (x.z_monetary - ${c[2]}) * (x.z_monetary - ${c[2]}))`,
  );
  const own = terms[definition.cluster];
  if (!own) return { sql: "0", params: [] };
  const others = terms.filter((_, i) => i !== definition.cluster).map((t) => `${own} <= ${t}`);
  return { sql: ["x.dataset_id = ?", ...others].join(" AND "), params: [datasetId] };
}

const FROM = "FROM customer_rfm x JOIN customers c ON c.dataset_id = x.dataset_id AND c.customer_id = x.customer_id";

/** An audience's live size and revenue (customer revenue to date, currency units). */
export function audienceSize(
  db: Db,
  datasetId: number,
  definition: AudienceDefinition,
): { customers: number; revenue: number } {
  const { sql, params } = where(definition, db, datasetId);
  const row = db.$client
    .prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(x.monetary), 0) AS revenue ${FROM} WHERE ${sql}`)
    .get(...params) as { n: number; revenue: number };
  return { customers: row.n, revenue: milliToMoney(row.revenue) };
}

/** An audience's customer ids, in id order. */
export function audienceMembers(db: Db, datasetId: number, definition: AudienceDefinition): string[] {
  const { sql, params } = where(definition, db, datasetId);
  return db.$client
    .prepare(`SELECT x.customer_id ${FROM} WHERE ${sql} ORDER BY x.customer_id`)
    .pluck()
    .all(...params) as string[];
}

const toAudience = (r: {
  id: number;
  dataset_id: number;
  name: string;
  kind: string;
  definition: string;
  created_at: string;
  updated_at: string;
}): Audience => ({
  id: r.id,
  datasetId: r.dataset_id,
  name: r.name,
  kind: r.kind,
  definition: JSON.parse(r.definition),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function listAudiences(db: Db, datasetId: number): (Audience & { customers: number; revenue: number })[] {
  const rows = db.$client
    .prepare("SELECT * FROM audiences WHERE dataset_id = ? ORDER BY name, id")
    .all(datasetId) as Parameters<typeof toAudience>[0][];
  return rows.map(toAudience).map((a) => ({ ...a, ...audienceSize(db, datasetId, a.definition) }));
}

export function getAudience(db: Db, id: number): Audience | null {
  const row = db.$client.prepare("SELECT * FROM audiences WHERE id = ?").get(id) as
    Parameters<typeof toAudience>[0] | undefined;
  return row ? toAudience(row) : null;
}

/** A definition in one spelling (keys and lists sorted, a persona's display name left out), to compare two audiences. */
function canonical(d: AudienceDefinition): string {
  const sortDeep = (v: unknown): unknown =>
    Array.isArray(v)
      ? [...v].map(sortDeep).sort()
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k, x]) => x !== undefined && !(d.kind === "persona" && k === "name"))
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sortDeep(x)]),
          )
        : v;
  return JSON.stringify(sortDeep(d));
}

/** The saved audience of this data set with the same name (any case) or the same definition, other than `exceptId` (issue 14). */
export function sameAudience(
  db: Db,
  datasetId: number,
  input: z.infer<typeof audienceSchema>,
  exceptId?: number,
): { id: number; name: string; sameName: boolean } | null {
  const rows = db.$client.prepare("SELECT * FROM audiences WHERE dataset_id = ?").all(datasetId) as Parameters<
    typeof toAudience
  >[0][];
  const wanted = canonical(input.definition);
  for (const a of rows.map(toAudience)) {
    if (a.id === exceptId) continue;
    const sameName = a.name.trim().toLowerCase() === input.name.trim().toLowerCase();
    if (sameName || canonical(a.definition) === wanted) return { id: a.id, name: a.name, sameName };
  }
  return null;
}

export function saveAudience(db: Db, datasetId: number, input: z.infer<typeof audienceSchema>, id?: number): number {
  const twin = sameAudience(db, datasetId, input, id);
  if (twin)
    throw new AppError(
      twin.sameName
        ? `An audience named "${twin.name}" already exists: choose another name`
        : `"${twin.name}" already has this definition`,
      "conflict",
    );
  const now = new Date().toISOString();
  const definition = JSON.stringify(input.definition);
  if (id !== undefined) {
    const changed = db.$client
      .prepare(
        "UPDATE audiences SET name = ?, kind = ?, definition = ?, updated_at = ? WHERE id = ? AND dataset_id = ?",
      )
      .run(input.name, input.definition.kind, definition, now, id, datasetId).changes;
    if (changed === 0) throw new AppError("That audience no longer exists", "not-found");
    return id;
  }
  return Number(
    db.$client
      .prepare(
        "INSERT INTO audiences (dataset_id, name, kind, definition, created_at, updated_at) VALUES (?,?,?,?,?,?)",
      )
      .run(datasetId, input.name, input.definition.kind, definition, now, now).lastInsertRowid,
  );
}

/**
 * "Use as audience" on a segment, grid cell or persona: the saved audience with that definition if there is one (never a
 * duplicate, issue 14), else a new one under the first free name ("Champions", "Champions (2)", …).
 */
export function audienceFor(
  db: Db,
  datasetId: number,
  input: z.infer<typeof audienceSchema>,
): { id: number; existed: boolean } {
  const rows = (
    db.$client.prepare("SELECT * FROM audiences WHERE dataset_id = ?").all(datasetId) as Parameters<
      typeof toAudience
    >[0][]
  ).map(toAudience);
  const wanted = canonical(input.definition);
  const same = rows.find((a) => canonical(a.definition) === wanted);
  if (same) return { id: same.id, existed: true };
  const taken = new Set(rows.map((a) => a.name.trim().toLowerCase()));
  let name = input.name;
  for (let i = 2; taken.has(name.trim().toLowerCase()); i++) name = `${input.name} (${i})`;
  return { id: saveAudience(db, datasetId, { ...input, name }), existed: false };
}

/** The countries of the data set's customers, the most customers first (the audience form's choices). */
export function customerCountries(db: Db, datasetId: number): string[] {
  return db.$client
    .prepare(
      "SELECT country FROM customers WHERE dataset_id = ? AND country IS NOT NULL GROUP BY country ORDER BY COUNT(*) DESC",
    )
    .pluck()
    .all(datasetId) as string[];
}

export function deleteAudience(db: Db, id: number): boolean {
  return db.$client.prepare("DELETE FROM audiences WHERE id = ?").run(id).changes > 0;
}

/** A readable summary of a definition ("Segment: At Risk", "Germany · spent ≥ 500 · not bought in ≥ 90 days"). */
export function describeAudience(d: AudienceDefinition): string {
  if (d.kind === "segment") return `Segment: ${d.segment}`;
  if (d.kind === "persona") return `Persona: ${d.name ?? `cluster ${d.cluster + 1}`} (k = ${d.k})`;
  const parts: string[] = [];
  if (d.countries?.length) parts.push(d.countries.join(", "));
  if (d.segments?.length) parts.push(`segments ${d.segments.join(", ")}`);
  const r = (label: string, x?: { min?: number; max?: number }, unit = "") =>
    x &&
    (x.min !== undefined || x.max !== undefined) &&
    parts.push(
      `${label} ${x.min !== undefined ? `≥ ${x.min}${unit}` : ""}${x.min !== undefined && x.max !== undefined ? " and " : ""}${x.max !== undefined ? `≤ ${x.max}${unit}` : ""}`,
    );
  r("days since last order", d.recency);
  r("orders", d.frequency);
  r("net spend", d.monetary);
  if (d.cell) parts.push(`grid cell R ${d.cell.r} × FM ${d.cell.fm}`);
  return parts.length ? parts.join(" · ") : "All customers";
}
