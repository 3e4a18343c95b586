import { z } from "zod";
import { MIN_ALPHA, MIN_ALPHA_MESSAGE } from "./stats/power";
import { sampleRatioMismatch } from "./stats/analysis";
import { PROPER_PRIOR } from "./stats/bayesian";
import { compareWithEngine, ENGINES, type EngineComparison, type EngineSettings } from "./stats/engines";
import { DEFAULT_TUNING } from "./stats/sequential";

// Result sets as `cli analyze --input` and POST /api/analyze take them: counts per arm, the first arm is control, and
// the engine that reads them ("fixed" by default, "sequential" or "bayesian"; STATS-BAYES-SEQUENTIAL.md).

const proportionArm = z
  .object({
    name: z.string().min(1),
    users: z.number().int().min(2, "users must be at least 2"),
    conversions: z.number().int().nonnegative("conversions cannot be negative"),
  })
  .refine((a) => a.conversions <= a.users, { message: "conversions cannot exceed users", path: ["conversions"] });
const meanArm = z
  .object({
    name: z.string().min(1),
    n: z.number().int().min(2, "n must be at least 2"),
    // past 1e100 (1e200 squared) the variance and the interval overflow or lose every digit: refused, not answered wrongly
    sum: z
      .number()
      .finite()
      .refine(
        (v) => Math.abs(v) <= 1e100,
        "sum must be within ±1e100: beyond, the variance cannot be computed exactly",
      ),
    sumSquares: z
      .number()
      .finite()
      .nonnegative("sumSquares cannot be negative")
      .lte(1e200, "sumSquares must be at most 1e200: beyond, the variance cannot be computed exactly"),
  })
  .refine((a) => a.sumSquares + 1e-9 * Math.abs(a.sumSquares) >= (a.sum * a.sum) / a.n, {
    message: "sumSquares is below sum²/n: impossible",
    path: ["sumSquares"],
  });

/** A normal prior on the lift; given without fields it is GrowthBook's proper N(0, 0.3²). */
const priorSchema = z
  .object({
    mean: z.number().finite("mean must be a number").default(PROPER_PRIOR.mean),
    variance: z.number().gt(0, "variance must be above 0").finite().default(PROPER_PRIOR.variance),
    proper: z.boolean().default(true),
  })
  .strict();
const sequentialSchema = z
  .object({
    tuning: z
      .number()
      .int("tuning must be a whole number")
      .min(1, "tuning must be at least 1")
      .max(1e9, "tuning is at most 1,000,000,000")
      .default(DEFAULT_TUNING),
  })
  .strict();

const common = {
  alpha: z.number().gte(MIN_ALPHA, `alpha ${MIN_ALPHA_MESSAGE}`).lte(0.5, "alpha must be in (0, 0.5]").default(0.05),
  allocation: z.array(z.number().gt(0)).optional(),
  engine: z.enum(ENGINES, { message: `engine must be one of ${ENGINES.join(", ")}` }).default("fixed"),
  prior: priorSchema.optional(),
  sequential: sequentialSchema.optional(),
  inverse: z.boolean().default(false),
};

export const resultSetSchema = z
  .discriminatedUnion("metric", [
    z.object({ metric: z.literal("proportion"), ...common, arms: z.array(proportionArm).min(2).max(10) }).strict(),
    z.object({ metric: z.literal("mean"), ...common, arms: z.array(meanArm).min(2).max(10) }).strict(),
  ])
  .superRefine((s, ctx) => {
    if (s.allocation && s.allocation.length !== s.arms.length)
      ctx.addIssue({ code: "custom", path: ["allocation"], message: "one allocation share per arm" });
    if (s.allocation && Math.abs(s.allocation.reduce((a, b) => a + b, 0) - 1) > 1e-6)
      ctx.addIssue({ code: "custom", path: ["allocation"], message: "the allocation must sum to 1" });
    if (s.prior && s.engine !== "bayesian")
      ctx.addIssue({ code: "custom", path: ["prior"], message: `a prior needs "engine": "bayesian"` });
    if (s.sequential && s.engine !== "sequential")
      ctx.addIssue({
        code: "custom",
        path: ["sequential"],
        message: `sequential settings need "engine": "sequential"`,
      });
  });
export type ResultSet = z.infer<typeof resultSetSchema>;

export type ResultSetAnalysis = {
  engine: ResultSet["engine"];
  alpha: number;
  inverse: boolean;
  prior?: { mean: number; variance: number; proper: boolean };
  sequential?: { tuning: number };
  comparisons: EngineComparison[];
  srm: { chi2: number; pValue: number; flagged: boolean };
};

/** Each treatment against control with the set's engine, and the sample-ratio check. */
export function analyseResultSet(set: ResultSet): ResultSetAnalysis {
  const settings: EngineSettings = {
    engine: set.engine,
    alpha: set.alpha,
    inverse: set.inverse,
    tuning: set.sequential?.tuning ?? DEFAULT_TUNING,
    prior: set.prior,
  };
  const head = {
    engine: set.engine,
    alpha: set.alpha,
    inverse: set.inverse,
    ...(set.engine === "bayesian" ? { prior: set.prior ?? { mean: 0, variance: 1, proper: false } } : {}),
    ...(set.engine === "sequential" ? { sequential: { tuning: settings.tuning! } } : {}),
  };
  if (set.metric === "proportion") {
    const [control, ...treatments] = set.arms;
    return {
      ...head,
      comparisons: treatments.map((t) => compareWithEngine({ kind: "proportion", control, treatment: t }, settings)),
      srm: sampleRatioMismatch(
        set.arms.map((a) => a.users),
        set.allocation,
      ),
    };
  }
  const [control, ...treatments] = set.arms;
  return {
    ...head,
    comparisons: treatments.map((t) => compareWithEngine({ kind: "mean", control, treatment: t }, settings)),
    srm: sampleRatioMismatch(
      set.arms.map((a) => a.n),
      set.allocation,
    ),
  };
}
