import { z } from "zod";
import type { Db } from "~/db/db.server";
import { milliToMoney } from "~/ingest/money";
import { AppError } from "~/lib/errors";
import { SEGMENTS } from "./rfm";
import type { SQL } from "drizzle-orm";
import {
  audienceMemberIds,
  audienceRow,
  audienceRows,
  audienceTotals,
  chosenK,
  conditionsWhere,
  insertAudience,
  nearestCentroidWhere,
  personaCentroids,
  personaLabelWhere,
  updateAudience,
  type AudienceRow,
} from "./store.server";
import { audienceConditions, personaAudienceSchema, segmentAudienceSchema } from "./audience-rule";

// Audiences: a segment, a persona, or a filter over customers; their members are computed live from the stored RFM
// table, so an audience always reflects its data set. Experiments pick them (issue "Experiments I").

const range = z
  .object({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: "min is above max" })
  .optional();

const audienceDefinitionSchema = z.discriminatedUnion("kind", [
  segmentAudienceSchema,
  personaAudienceSchema,
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

/** The conditions selecting an audience's customers in customer_rfm joined with customers. */
function where(definition: AudienceDefinition, db: Db, datasetId: number): SQL[] {
  if (definition.kind === "persona") {
    // a persona is a cluster of one k: its members are the customers nearest to that cluster's centroid
    if (chosenK(db, datasetId) !== definition.k)
      return [nearestCentroidWhere(personaCentroids(db, datasetId, definition.k), definition.cluster)];
    return [personaLabelWhere(definition.cluster)];
  }
  return conditionsWhere(audienceConditions(definition));
}

/** An audience's live size and revenue (customer revenue to date, currency units). */
export function audienceSize(
  db: Db,
  datasetId: number,
  definition: AudienceDefinition,
): { customers: number; revenue: number } {
  const { customers, monetary } = audienceTotals(db, datasetId, where(definition, db, datasetId));
  return { customers, revenue: milliToMoney(monetary) };
}

/** An audience's customer ids, in id order. */
export function audienceMembers(db: Db, datasetId: number, definition: AudienceDefinition): string[] {
  return audienceMemberIds(db, datasetId, where(definition, db, datasetId));
}

const toAudience = (r: AudienceRow): Audience => ({
  id: r.id,
  datasetId: r.datasetId,
  name: r.name,
  kind: r.kind,
  definition: JSON.parse(r.definition),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export function listAudiences(db: Db, datasetId: number): (Audience & { customers: number; revenue: number })[] {
  return audienceRows(db, datasetId)
    .map(toAudience)
    .map((a) => ({ ...a, ...audienceSize(db, datasetId, a.definition) }));
}

export function getAudience(db: Db, id: number): Audience | null {
  const row = audienceRow(db, id);
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
function sameAudience(
  db: Db,
  datasetId: number,
  input: z.infer<typeof audienceSchema>,
  exceptId?: number,
): { id: number; name: string; sameName: boolean } | null {
  const wanted = canonical(input.definition);
  for (const a of audienceRows(db, datasetId).map(toAudience)) {
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
  const fields = { name: input.name, kind: input.definition.kind, definition: JSON.stringify(input.definition) };
  if (id !== undefined) {
    if (!updateAudience(db, datasetId, id, fields, now))
      throw new AppError("That audience no longer exists", "not-found");
    return id;
  }
  return insertAudience(db, datasetId, fields, now);
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
  const rows = audienceRows(db, datasetId).map(toAudience);
  const wanted = canonical(input.definition);
  const same = rows.find((a) => canonical(a.definition) === wanted);
  if (same) return { id: same.id, existed: true };
  const taken = new Set(rows.map((a) => a.name.trim().toLowerCase()));
  let name = input.name;
  for (let i = 2; taken.has(name.trim().toLowerCase()); i++) name = `${input.name} (${i})`;
  return { id: saveAudience(db, datasetId, { ...input, name }), existed: false };
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
