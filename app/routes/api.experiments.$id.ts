import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { deleteExperiment, experimentJson } from "~/experiments/lifecycle.server";
import { requireExperiment } from "~/experiments/require.server";
import { appErrorResponse, jsonError, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// GET /api/experiments/:id — design, state, arms (with the assigned counts), results source and history.
export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return jsonError("No data set yet", 404);
  return json(experimentJson(loaded.active.db, loaded.experiment.id));
}

// DELETE /api/experiments/:id {confirmName?} — a draft goes at once; a started experiment only with its name typed
// back, and then with its assignment and results, in one transaction.
const schema = z.object({ confirmName: z.string().optional() }).strict();

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "DELETE") return methodNotAllowed(["GET", "DELETE"]);
  const loaded = requireExperiment(params.id);
  if (!loaded) return jsonError("No data set yet", 404);
  const parsed = await readJsonBody(request, schema, { empty: {} });
  if (!parsed.ok) return parsed.response;
  try {
    deleteExperiment(loaded.active.db, loaded.experiment.id, parsed.data.confirmName);
    return json({ deleted: loaded.experiment.id });
  } catch (err) {
    return appErrorResponse(err);
  }
}
