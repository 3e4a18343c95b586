import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentStep } from "~/experiments/api.server";
import { experimentJson, restoreExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/restore — brings an archived experiment back to its column.
export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(
    request,
    params.id,
    z.object({}).strict(),
    ({ active, experiment }) => (restoreExperiment(active.db, experiment.id), experimentJson(active.db, experiment.id)),
  );

export const loader = () => methodNotAllowed(["POST"]);
