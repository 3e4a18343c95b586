import { json, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { analyseResultSet, resultSetSchema } from "~/experiments/analyze-input";
import { experimentAnalysis } from "~/experiments/results.server";
import { getDb } from "~/db/db.server";
import { jsonError, readJson } from "~/lib/http.server";
import { describeIssues } from "~/lib/validation";

/** Result sets per request (#12 item 4: 300,000 of them blocked the server for 31 s, then gave a 500). */
const MAX_SETS = 100;

const storedSchema = z.object({ experiment: z.number().int().positive() }).strict();

// POST /api/analyze — a result set or an array of them (as `cli analyze --input`), or {"experiment": id} for a stored
// experiment's full analysis (guardrails, CUPED, decision).
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST with a JSON body", 405);
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const stored = storedSchema.safeParse(body.data);
  if (stored.success) {
    const recorded = experimentAnalysis(getDb(), stored.data.experiment);
    if (!recorded) return jsonError("No recorded results for that experiment", 404);
    if (!recorded.analysis) return jsonError(recorded.problem ?? "The recorded results cannot be analysed", 400);
    return json({ source: recorded.results.source, recordedAt: recorded.results.recordedAt, ...recorded.analysis });
  }
  const parsed = Array.isArray(body.data)
    ? z
        .array(resultSetSchema)
        .min(1, "the array is empty")
        .max(MAX_SETS, `at most ${MAX_SETS} result sets per request`)
        .safeParse(body.data)
    : resultSetSchema.safeParse(body.data);
  if (!parsed.success) return jsonError(describeIssues(parsed.error), 400);
  return json(Array.isArray(parsed.data) ? parsed.data.map(analyseResultSet) : analyseResultSet(parsed.data));
}
