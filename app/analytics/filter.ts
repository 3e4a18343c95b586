import { z } from "zod";
import { dayNumber, dayText } from "./facts";

// The date-range and country filter of every context page, CLI report and API report (validated the same way).

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  // zod runs this check after a failed regex too: "yesterday" must fail here, not throw from dayText (a 500)
  .refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || dayText(dayNumber(s)) === s, "is not a real date");

export const filterSchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    country: z.string().trim().min(1).max(100).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "from is after to", path: ["from"] });

/** Reads the filter from URL search parameters (empty values mean no filter). */
export function filterFromSearch(params: URLSearchParams) {
  const pick = (k: string) => params.get(k)?.trim() || undefined;
  return filterSchema.safeParse({ from: pick("from"), to: pick("to"), country: pick("country") });
}
