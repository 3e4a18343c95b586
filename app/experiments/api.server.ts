import { json } from "@remix-run/node";
import { z } from "zod";
import type { Db } from "~/db/db.server";
import { experimentJson } from "./lifecycle.server";
import { requireExperiment, type ActiveExperiment } from "./require.server";
import { appErrorResponse, jsonError, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// The shape every POST /api/experiments/:id/<step> route shares (issue 16): POST only (405 with Allow otherwise), the
// experiment of the active data set (404), a zod-checked JSON body (400 naming the field, 413 over the limit; no body
// reads as {}), the
// store's refusal as its status (400 invalid, 404, 409 conflict), the answer as JSON.
export async function experimentStep<S extends z.ZodType>(
  request: Request,
  id: string | undefined,
  schema: S,
  step: (loaded: ActiveExperiment, body: z.output<S>) => unknown,
  status = 200,
) {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const loaded = requireExperiment(id);
  if (!loaded) return jsonError("No data set yet", 404);
  const parsed = await readJsonBody(request, schema, { empty: {} });
  if (!parsed.ok) return parsed.response;
  try {
    return json(await step(loaded, parsed.data), { status });
  } catch (err) {
    return appErrorResponse(err);
  }
}

/** The body of a step that takes nothing but the experiment: none, or {}. */
export const NO_BODY = z.object({}).strict();

/** A step that changes the experiment and answers it as it is afterwards (as GET /api/experiments/:id shows it). */
export function experimentChange<S extends z.ZodType>(
  request: Request,
  id: string | undefined,
  schema: S,
  change: (db: Db, experimentId: number, body: z.output<S>) => unknown,
) {
  return experimentStep(request, id, schema, ({ active, experiment }, body) => {
    change(active.db, experiment.id, body);
    return experimentJson(active.db, experiment.id);
  });
}
