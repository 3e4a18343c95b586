import { DEFAULT_DESIGN } from "./design-form";
import { designSchema } from "./design";

// A design file or JSON body (CLI `experiment create --input`, POST /api/experiments): fields left out take the
// form's defaults (issue 13's minimal file is accepted), `stats` merged field by field; then the form's own schema.

export function parseDesignInput(raw: unknown) {
  const given =
    raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (!given) return designSchema.safeParse(raw);
  const { personaCentroids: _atStart, ...body } = given; // eslint-disable-line @typescript-eslint/no-unused-vars
  const stats =
    body.stats !== null && typeof body.stats === "object" && !Array.isArray(body.stats)
      ? { ...DEFAULT_DESIGN.stats, ...(body.stats as object) }
      : (body.stats ?? DEFAULT_DESIGN.stats);
  return designSchema.safeParse({ ...DEFAULT_DESIGN, ...body, stats });
}
