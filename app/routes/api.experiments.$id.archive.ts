import type { ActionFunctionArgs } from "@remix-run/node";
import { experimentChange, NO_BODY } from "~/experiments/api.server";
import { archiveExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/archive — hides the experiment from the board's columns (any state; restore brings it back).
export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentChange(request, params.id, NO_BODY, archiveExperiment);

export const loader = () => methodNotAllowed(["POST"]);
