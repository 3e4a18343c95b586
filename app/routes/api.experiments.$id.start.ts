import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentStep } from "~/experiments/api.server";
import { startWithWarehouseCopy } from "~/experiments/warehouse-assignments.server";
import { getExperiment } from "~/experiments/store.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/start {startDate?: "YYYY-MM-DD"} — starts on day S (the data's last day, or a later send
// date); refused under 30 per arm; an underpowered start proceeds and says so in "warnings".
const schema = z
  .object({
    startDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
      .optional(),
  })
  .strict();

export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(request, params.id, schema, async ({ active, experiment }, body) => {
    // issue 17: the warehouse copy of the assignment, as from the page and the CLI; a failed copy is in "warnings"
    const r = await startWithWarehouseCopy(active.db, experiment.id, { startDate: body.startDate });
    const e = getExperiment(active.db, experiment.id)!;
    return {
      id: e.id,
      status: e.status,
      startDate: r.startDate,
      assigned: r.assigned,
      perArm: e.design.arms.map((a, i) => ({ arm: a.name, customers: r.perArm[i] })),
      power: r.power,
      warnings: r.warnings,
    };
  });

export const loader = () => methodNotAllowed(["POST"]);
