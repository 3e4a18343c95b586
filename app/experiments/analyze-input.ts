import { z } from "zod";
import { compareMeans, compareProportions, sampleRatioMismatch, varianceOf, type Comparison } from "./stats/analysis";

// Result sets as `cli analyze --input` and POST /api/analyze take them: counts per arm, the first arm is control.

const proportionArm = z
  .object({ name: z.string().min(1), users: z.number().int().min(2, "users must be at least 2"), conversions: z.number().int().nonnegative("conversions cannot be negative") })
  .refine((a) => a.conversions <= a.users, { message: "conversions cannot exceed users", path: ["conversions"] });
const meanArm = z
  .object({ name: z.string().min(1), n: z.number().int().min(2, "n must be at least 2"), sum: z.number().finite(), sumSquares: z.number().finite().nonnegative("sumSquares cannot be negative") })
  .refine((a) => a.sumSquares + 1e-9 * Math.abs(a.sumSquares) >= (a.sum * a.sum) / a.n, { message: "sumSquares is below sum²/n: impossible", path: ["sumSquares"] });

export const resultSetSchema = z
  .discriminatedUnion("metric", [
    z.object({ metric: z.literal("proportion"), alpha: z.number().gt(0).lt(1).default(0.05), allocation: z.array(z.number().gt(0)).optional(), arms: z.array(proportionArm).min(2).max(10) }),
    z.object({ metric: z.literal("mean"), alpha: z.number().gt(0).lt(1).default(0.05), allocation: z.array(z.number().gt(0)).optional(), arms: z.array(meanArm).min(2).max(10) }),
  ])
  .superRefine((s, ctx) => {
    if (s.allocation && s.allocation.length !== s.arms.length) ctx.addIssue({ code: "custom", path: ["allocation"], message: "one allocation share per arm" });
    if (s.allocation && Math.abs(s.allocation.reduce((a, b) => a + b, 0) - 1) > 1e-6) ctx.addIssue({ code: "custom", path: ["allocation"], message: "the allocation must sum to 1" });
    if (s.metric === "proportion" && (s.arms[0] as { conversions: number }).conversions === 0) ctx.addIssue({ code: "custom", path: ["arms", 0, "conversions"], message: "the control has no conversion: the relative lift is undefined" });
    if (s.metric === "mean") {
      const c = s.arms[0] as { n: number; sum: number; sumSquares: number };
      if (c.sum === 0) ctx.addIssue({ code: "custom", path: ["arms", 0, "sum"], message: "the control mean is 0: the relative lift is undefined" });
      if (varianceOf({ name: "", ...c }) === 0) ctx.addIssue({ code: "custom", path: ["arms", 0, "sumSquares"], message: "the control has zero variance: no interval can be computed" });
    }
  });
export type ResultSet = z.infer<typeof resultSetSchema>;

export function analyseResultSet(set: ResultSet): { comparisons: Comparison[]; srm: { chi2: number; pValue: number; flagged: boolean } } {
  if (set.metric === "proportion") {
    const [control, ...treatments] = set.arms;
    return { comparisons: treatments.map((t) => compareProportions(control, t, set.alpha)), srm: sampleRatioMismatch(set.arms.map((a) => a.users), set.allocation) };
  }
  const [control, ...treatments] = set.arms;
  return { comparisons: treatments.map((t) => compareMeans(control, t, set.alpha)), srm: sampleRatioMismatch(set.arms.map((a) => a.n), set.allocation) };
}
