import { z } from "zod";
import { isCalendarDay } from "~/ingest/dates";
import { SEGMENTS } from "~/segments/rfm";
import { personaAudienceSchema, segmentAudienceSchema } from "~/segments/audience-rule";
import { MAX_POWER, MIN_ALPHA, MIN_ALPHA_MESSAGE } from "./stats/power";
import { ENGINES } from "./stats/engines";
import { DEFAULT_TUNING } from "./stats/sequential";

// An experiment's design (PRODUCT.md §4), validated on the server with zod; stored as JSON with every version kept.

export const CAMPAIGN_TYPES = [
  "reactivation discount",
  "personalised push",
  "homepage personalisation",
  "recommendation banner",
  "custom",
] as const;
export const PRIMARY_METRICS = ["conversion", "revenue", "aov"] as const;
export const METRIC_LABELS: Record<(typeof PRIMARY_METRICS)[number], string> = {
  conversion: "Conversion within W days",
  revenue: "Revenue per customer within W days",
  aov: "Average order value",
};
export const WINDOWS = [7, 30, 60, 90] as const;

const experimentAudienceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("audience"), id: z.number().int().positive() }),
  segmentAudienceSchema,
  personaAudienceSchema,
]);

const baselineOverrides = z
  .object({
    conversion: z
      .number()
      .gt(0, "a conversion rate is between 0 and 1")
      .lt(1, "a conversion rate is between 0 and 1")
      .optional(),
    revenueMean: z.number().nonnegative().optional(),
    revenueSd: z.number().gt(0, "a standard deviation is above 0").optional(),
    aov: z.number().gt(0).optional(),
    aovSd: z.number().gt(0).optional(),
    refundRate: z.number().min(0).max(1).optional(),
  })
  .strict();

export const designSchema = z
  .object({
    name: z.string().trim().min(1, "Give the experiment a name").max(120, "At most 120 characters"),
    campaignType: z.enum(CAMPAIGN_TYPES),
    hypothesis: z.string().trim().max(2000, "At most 2,000 characters").default(""),
    audience: experimentAudienceSchema,
    arms: z
      .array(
        z.object({
          name: z.string().trim().min(1, "Name every arm").max(60),
          share: z.number().gt(0, "Every arm needs a share above 0").lt(1),
        }),
      )
      .min(2, "Control and at least one treatment")
      .max(5, "Control and at most 4 treatments"),
    primaryMetric: z.enum(PRIMARY_METRICS),
    windowDays: z.union([z.literal(7), z.literal(30), z.literal(60), z.literal(90)]),
    referenceDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
      .refine(isCalendarDay, "is not a calendar day (e.g. 9999-99-99)")
      .optional(),
    guardrails: z
      .array(
        z.object({
          metric: z.enum(["refund_rate", "aov"]),
          margin: z.number().gt(0, "A margin above 0").lte(1, "At most 100%"),
        }),
      )
      .max(2),
    stats: z.object({
      alpha: z.number().gte(MIN_ALPHA, `α ${MIN_ALPHA_MESSAGE}`).lte(0.5, "α in (0, 0.5]"),
      power: z
        .number()
        .gt(0, "power in (0, 1)")
        .lte(MAX_POWER, `power at most ${MAX_POWER}: closer to 1 it cannot be reached exactly`),
      sides: z.union([z.literal(1), z.literal(2)]),
      mde: z.number().gt(0, "The MDE must be above 0"),
      relative: z.boolean(),
      method: z.enum(["pooled", "arcsine", "t", "z"]),
      // the analysis engine (issue #11): fixed-horizon by default; sequential with its tuning N*; Bayesian with a prior on the lift
      engine: z.enum(ENGINES, { message: `The engine is one of ${ENGINES.join(", ")}` }).default("fixed"),
      tuning: z
        .number()
        .int("N* is a whole number")
        .min(100, "N* between 100 and 10,000,000")
        .max(10_000_000, "N* between 100 and 10,000,000")
        .default(DEFAULT_TUNING),
      prior: z
        .object({
          proper: z.boolean(),
          mean: z.number().gte(-1, "A prior mean between −100% and 100%").lte(1, "A prior mean between −100% and 100%"),
          sd: z.number().gt(0, "A prior sd above 0").lte(10, "A prior sd of at most 1,000%"),
        })
        .default({ proper: false, mean: 0, sd: 0.3 }),
    }),
    baselines: baselineOverrides.default({}),
    // written at the start of a persona audience's experiment, never typed (parseDesignInput drops it): the personas'
    // centroids then, so that a later update's new personas move neither its back-test nor its sizing
    personaCentroids: z.array(z.array(z.number())).optional(),
  })
  .superRefine((d, ctx) => {
    const total = d.arms.reduce((s, a) => s + a.share, 0);
    if (Math.abs(total - 1) > 1e-6)
      ctx.addIssue({
        code: "custom",
        path: ["arms"],
        message: `The allocation shares add up to ${Math.round(total * 1000) / 10}%, not 100%`,
      });
    if (new Set(d.arms.map((a) => a.name.toLowerCase())).size !== d.arms.length)
      ctx.addIssue({ code: "custom", path: ["arms"], message: "Arm names must differ" });
    const proportion = d.primaryMetric === "conversion";
    if (proportion && !["pooled", "arcsine"].includes(d.stats.method))
      ctx.addIssue({ code: "custom", path: ["stats", "method"], message: "Conversion takes method pooled or arcsine" });
    if (!proportion && !["t", "z"].includes(d.stats.method))
      ctx.addIssue({ code: "custom", path: ["stats", "method"], message: "Revenue and AOV take method t or z" });
  });

export type Design = z.infer<typeof designSchema>;
export type ExperimentAudience = z.infer<typeof experimentAudienceSchema>;
