import { z } from "zod";
import { MAX_POWER, MIN_ALPHA, MIN_ALPHA_MESSAGE, type PowerInput } from "./stats/power";

// The power module's input as the CLI, POST /api/power and the calculator take it: defaults α 0.05, power 0.8,
// two-sided, ratio 1, one treatment arm; every out-of-range value refused with a message naming it.

export const powerInputSchema = z
  .object({
    metric: z.enum(["proportion", "mean"]).default("proportion"),
    baseline: z
      .number()
      .gt(0, "baseline must be a proportion between 0 and 1")
      .lt(1, "baseline must be a proportion between 0 and 1")
      .optional(),
    mean: z.number().finite().optional(),
    sd: z.number().gt(0, "sd must be above 0").finite().optional(),
    mde: z
      .number()
      .finite()
      .refine((v) => v !== 0, "mde must not be 0")
      .optional(),
    relative: z.boolean().default(false),
    alpha: z.number().gte(MIN_ALPHA, `alpha ${MIN_ALPHA_MESSAGE}`).lte(0.5, "alpha must be in (0, 0.5]").default(0.05),
    power: z
      .number()
      .gt(0, "power must be in (0, 1)")
      .lte(MAX_POWER, `power must be at most ${MAX_POWER}: closer to 1 it cannot be reached exactly`)
      .default(0.8),
    sides: z.union([z.literal(1), z.literal(2)], { message: "sides must be 1 or 2" }).default(2),
    ratio: z.number().gt(0, "ratio must be above 0").lte(100, "ratio must be at most 100").default(1),
    arms: z.number().int().min(1, "arms must be 1 to 10").max(10, "arms must be 1 to 10").default(1),
    method: z.enum(["pooled", "arcsine", "t", "z"]).optional(),
    n: z.number().int("n must be a whole number").min(2, "n must be at least 2").max(1e12).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.arms > 1 && v.alpha / v.arms < MIN_ALPHA)
      issue("alpha", `alpha per comparison (${v.alpha} / ${v.arms} arms) ${MIN_ALPHA_MESSAGE}`);
    if (v.mde === undefined && v.n === undefined)
      issue("mde", "give mde (to size the test or get its power) or n (to get the reachable MDE)");
    if (v.metric === "proportion") {
      if (v.baseline === undefined)
        issue("baseline", "baseline (the control's conversion rate) is required for a proportion");
      if (v.method && v.method !== "pooled" && v.method !== "arcsine")
        issue("method", "a proportion takes method pooled or arcsine");
      if (v.baseline !== undefined && v.mde !== undefined) {
        const p2 = v.relative ? v.baseline * (1 + v.mde) : v.baseline + v.mde;
        if (!(p2 > 0 && p2 < 1)) issue("mde", `the mde moves the rate to ${p2}, outside (0, 1)`);
      }
    } else {
      if (v.sd === undefined) issue("sd", "sd (the metric's standard deviation) is required for a mean");
      if (v.method && v.method !== "t" && v.method !== "z") issue("method", "a mean takes method t or z");
      if (v.relative && !v.mean) issue("mean", "a relative mde needs the control mean");
    }
  })
  .transform((v): PowerInput => ({ ...v, method: v.method ?? (v.metric === "proportion" ? "pooled" : "t") }));

/** An array of inputs (the CLI's --input file, or POST /api/power with an array). */
export const powerRequestSchema = z
  .array(powerInputSchema)
  .min(1, "the array is empty")
  .max(100, "at most 100 inputs per request"); // #12 item 4: 1,000 heavy inputs blocked the server for 0.5 s;
