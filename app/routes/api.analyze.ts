import { json, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { analyseResultSet, resultSetSchema } from "~/experiments/analyze-input";
import { experimentAnalysis } from "~/experiments/results.server";
import { getDb } from "~/db/db.server";
import { describeIssues } from "~/lib/validation";

// POST /api/analyze — a result set or an array of them (as `cli analyze --input`), or {"experiment": id} for a stored
// experiment's full analysis (guardrails, CUPED, decision).
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ error: "Use POST with a JSON body" }, { status: 405 });
  const body = await request.json().catch(() => undefined);
  if (body === undefined) return json({ error: "The body is not JSON" }, { status: 400 });
  const stored = z.object({ experiment: z.number().int().positive() }).strict().safeParse(body);
  if (stored.success) {
    const recorded = experimentAnalysis(getDb(), stored.data.experiment);
    if (!recorded) return json({ error: "No recorded results for that experiment" }, { status: 404 });
    if (!recorded.analysis) return json({ error: recorded.problem }, { status: 400 });
    return json({ source: recorded.results.source, recordedAt: recorded.results.recordedAt, ...recorded.analysis });
  }
  const parsed = Array.isArray(body) ? z.array(resultSetSchema).min(1).safeParse(body) : resultSetSchema.safeParse(body);
  if (!parsed.success) return json({ error: describeIssues(parsed.error) }, { status: 400 });
  return json(Array.isArray(parsed.data) ? parsed.data.map(analyseResultSet) : analyseResultSet(parsed.data));
}
