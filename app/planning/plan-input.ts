import { z } from "zod";

// The plan's candidates and budget, as the plan page, `cli plan` and POST /api/plan take them.

export const candidateSchema = z.object({
  name: z.string().trim().min(1).max(120),
  audience: z.number().int().min(0),
  costPerContact: z.number().min(0, "cost per contact cannot be negative"),
  valuePerCustomer: z.number().min(0),
  lift: z.number().min(-1).max(10),
  grossMargin: z.number().min(0).max(1, "gross margin is a share between 0 and 1"),
  discountShare: z.number().min(0).max(1, "the discount is a share between 0 and 1"),
});
export const planRequestSchema = z.object({
  budget: z.number().min(0, "the budget cannot be negative"),
  candidates: z.array(candidateSchema).min(1).max(200),
});

/** The plan from the data set's own candidates and learned lifts (a candidate without one is listed "test first"). */
export const learnedPlanSchema = z
  .object({
    budget: z.number().min(0, "the budget cannot be negative"),
    learned: z.literal(true),
    borrow: z.boolean().default(false),
  })
  .strict();
