import { z } from "zod";
import type { Db } from "~/db/db.server";
import { ExperimentError } from "./experiments.server";
import { getExperiment } from "./store.server";
import {
  ABSENT_CHOICES,
  aggregateArmSchema,
  experimentAnalysis,
  recordAggregates,
  recordSimulation,
  recordUpload,
} from "./results.server";
import { isRehearsal } from "./sources";

// Recording results from a JSON body or the CLI, one schema per source: the REST route and `results simulate|upload`
// share it. The "measured" source (issue 13) is dispatched beside these by its own module (measure.server.ts).

const lifts = z.record(
  z.string().min(1),
  z.number().min(-0.99, "a lift is at least -0.99").max(10, "a lift is at most 10"),
);
export const simulationBody = z
  .object({
    source: z.literal("simulation"),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    lift: lifts,
    spendLift: lifts.optional(),
  })
  .strict();
export const aggregateBody = z
  .object({ source: z.literal("aggregate"), arms: z.array(aggregateArmSchema).min(2) })
  .strict();
export const uploadBody = z
  .object({
    source: z.literal("upload"),
    csv: z.string().min(1, "csv: the file's text"),
    accept: z.boolean().default(false),
    absent: z.enum(ABSENT_CHOICES).default("zero"),
  })
  .strict();
export type RecordBody = z.infer<typeof simulationBody> | z.infer<typeof aggregateBody> | z.infer<typeof uploadBody>;

/** The treatments' lifts by arm name (`Treatment=0.15`) as arrays in arm order; every treatment named, nothing else. */
function liftsByArm(names: string[], given: Record<string, number>, flag: string): number[] {
  const treatments = names.slice(1);
  const unknown = Object.keys(given).filter((k) => !treatments.some((t) => t.toLowerCase() === k.toLowerCase()));
  if (unknown.length)
    throw new ExperimentError(
      `${flag}: no treatment arm "${unknown[0]}" (treatments: ${treatments.join(", ")})`,
      "invalid",
    );
  const value = (t: string) => Object.entries(given).find(([k]) => k.toLowerCase() === t.toLowerCase())?.[1];
  return treatments.map((t) => value(t) ?? 0);
}

/** Records the body's results and answers what was stored: source, rehearsal flag, accounting, analysis. */
export function recordFromBody(db: Db, id: number, body: RecordBody) {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`Experiment ${id} does not exist`, "not-found");
  const names = e.design.arms.map((a) => a.name);
  let extra: Record<string, unknown> = {};
  if (body.source === "simulation") {
    if (!Object.keys(body.lift).length)
      throw new ExperimentError(
        `lift: give the true conversion lift of each treatment (${names
          .slice(1)
          .map((n) => `${n}=0.1`)
          .join(" ")})`,
        "invalid",
      );
    recordSimulation(db, id, {
      seed: body.seed,
      conversionLift: liftsByArm(names, body.lift, "lift"),
      revenueLift: liftsByArm(names, body.spendLift ?? {}, "spendLift"),
    });
  } else if (body.source === "aggregate") {
    recordAggregates(db, id, body.arms);
  } else {
    const { accounting, problems } = recordUpload(db, id, body.csv, body.accept, body.absent);
    extra = { accounting, problems };
  }
  const recorded = experimentAnalysis(db, id)!;
  return {
    id,
    source: recorded.results.source,
    rehearsal: isRehearsal(recorded.results),
    recordedAt: recorded.results.recordedAt,
    ...extra,
    analysis: recorded.analysis,
    problem: recorded.problem,
  };
}
