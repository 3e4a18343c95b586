import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentStep } from "~/experiments/api.server";
import { experimentJson, stopExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/stop {reason?} — stops a running experiment early: completed, "stopped early", its reason.
const schema = z.object({ reason: z.string().max(2000).optional() }).strict();

export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(
    request,
    params.id,
    schema,
    ({ active, experiment }, body) => (
      stopExperiment(active.db, experiment.id, body.reason),
      experimentJson(active.db, experiment.id)
    ),
  );

export const loader = () => methodNotAllowed(["POST"]);
