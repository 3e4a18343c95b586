import type { ActionFunctionArgs } from "@remix-run/node";
import { experimentChange, NO_BODY } from "~/experiments/api.server";
import { restoreExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/restore — brings an archived experiment back to its column.
export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentChange(request, params.id, NO_BODY, restoreExperiment);

export const loader = () => methodNotAllowed(["POST"]);
