import { z } from "zod";
import { fmScore, SEGMENTS, type SegmentName } from "./rfm";

// Who belongs to a segment or filter audience, defined once and read two ways: as SQL over the stored customer_rfm
// (today's members: store.server.ts conditionsWhere) and as a predicate over a customer's RFM as of a day T (back-tests,
// experiments/backtest.ts). Persona audiences are the nearest stored centroid in both. Pure: no I/O.

/** A segment as an audience, and a persona (a cluster of one k) as an audience: saved audiences and experiments. */
export const segmentAudienceSchema = z.object({ kind: z.literal("segment"), segment: z.enum(SEGMENTS) });
export const personaAudienceSchema = z.object({
  kind: z.literal("persona"),
  k: z.number().int().min(2).max(10),
  cluster: z.number().int().min(0).max(9),
  name: z.string().optional(),
});

/** What a condition can look at: a customer's segment, country and RFM values (monetary in currency units). */
export type MemberFacts = {
  segment: SegmentName;
  country: string | null;
  recency: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
};

export type RangeField = "recency" | "frequency" | "monetary";
export type Condition =
  | { field: "segment"; oneOf: string[] }
  | { field: "country"; oneOf: string[] }
  | { field: RangeField; min?: number; max?: number }
  | { field: "cell"; r: number; fm: number };

type Range = { min?: number; max?: number } | undefined;
export type RuleDefinition =
  | { kind: "segment"; segment: SegmentName }
  | {
      kind: "filter";
      countries?: string[];
      segments?: SegmentName[];
      recency?: Range;
      frequency?: Range;
      monetary?: Range;
      cell?: { r: number; fm: number };
    };

/** The conditions a customer must all meet (none: everyone). */
export function audienceConditions(definition: RuleDefinition): Condition[] {
  if (definition.kind === "segment") return [{ field: "segment", oneOf: [definition.segment] }];
  const out: Condition[] = [];
  if (definition.countries?.length) out.push({ field: "country", oneOf: definition.countries });
  if (definition.segments?.length) out.push({ field: "segment", oneOf: definition.segments });
  for (const field of ["recency", "frequency", "monetary"] as const) {
    const r = definition[field];
    if (r && (r.min !== undefined || r.max !== undefined)) out.push({ field, min: r.min, max: r.max });
  }
  if (definition.cell) out.push({ field: "cell", r: definition.cell.r, fm: definition.cell.fm });
  return out;
}

export function meetsConditions(c: MemberFacts, conditions: Condition[]): boolean {
  return conditions.every((k) => {
    if (k.field === "segment") return k.oneOf.includes(c.segment);
    if (k.field === "country") return c.country !== null && k.oneOf.includes(c.country);
    if (k.field === "cell") return c.r === k.r && fmScore(c.f, c.m) === k.fm;
    const v = c[k.field];
    return (k.min === undefined || v >= k.min) && (k.max === undefined || v <= k.max);
  });
}
