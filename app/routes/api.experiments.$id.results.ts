import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { measuredResults, recordMeasured } from "~/experiments/measure.server";
import { aggregateBody, recordFromBody, simulationBody, uploadBody } from "~/experiments/record.server";
import { requireExperiment } from "~/experiments/require.server";
import { appErrorResponse, jsonError, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// POST /api/experiments/:id/results {source, ...} — records an experiment's results. source "measured" (issue 13)
// measures them from the data set's own transactions and answers {startDate, observedThrough, daysObserved, windowDays,
// arms, analysis}. GET answers the latest measured results.

// one body per source; other sources join this union (simulation, aggregate and upload: app/experiments/record.server.ts)
const bodySchema = z.discriminatedUnion(
  "source",
  [z.object({ source: z.literal("measured") }).strict(), simulationBody, aggregateBody, uploadBody],
  {
    error: () => 'source must be "measured", "simulation", "aggregate" or "upload"',
  },
);

export async function action({ params, request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
  const loaded = requireExperiment(params.id);
  if (!loaded) return jsonError("No data set yet", 404);
  const parsed = await readJsonBody(request, bodySchema);
  if (!parsed.ok) return parsed.response;
  try {
    const body = parsed.data;
    if (body.source !== "measured") return json(recordFromBody(loaded.active.db, loaded.experiment.id, body));
    return json(recordMeasured(loaded.active.db, loaded.experiment.id));
  } catch (err) {
    return appErrorResponse(err);
  }
}

export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return jsonError("No data set yet", 404);
  const measured = measuredResults(loaded.active.db, loaded.experiment.id);
  return measured ? json(measured) : jsonError("No measured results recorded for this experiment", 404);
}
