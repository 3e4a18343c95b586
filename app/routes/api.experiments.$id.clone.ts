import type { ActionFunctionArgs } from "@remix-run/node";
import { experimentStep, NO_BODY } from "~/experiments/api.server";
import { cloneExperiment, experimentJson } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/clone — a new draft with the same design ("Run again"); answers the new experiment (201).
export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(
    request,
    params.id,
    NO_BODY,
    ({ active, experiment }) => experimentJson(active.db, cloneExperiment(active.db, experiment.id)),
    201,
  );

export const loader = () => methodNotAllowed(["POST"]);
