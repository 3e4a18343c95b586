import { json, type ActionFunctionArgs } from "@remix-run/node";
import { powerInputSchema, powerRequestSchema } from "~/experiments/power-input";
import { analysePower, PowerInputError } from "~/experiments/stats/power";
import { describeIssues } from "~/lib/validation";

// POST /api/power — one power input (or an array of them) as in `cli power --json`: sizes, power or reachable MDE.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return json({ error: "Use POST with a JSON body" }, { status: 405 });
  const body = await request.json().catch(() => undefined);
  if (body === undefined) return json({ error: "The body is not JSON" }, { status: 400 });
  // one schema per shape, so that the messages name the field (a union would only say "Invalid input")
  const parsed = Array.isArray(body) ? powerRequestSchema.safeParse(body) : powerInputSchema.safeParse(body);
  if (!parsed.success) return json({ error: describeIssues(parsed.error) }, { status: 400 });
  try {
    return json(Array.isArray(parsed.data) ? parsed.data.map(analysePower) : analysePower(parsed.data));
  } catch (err) {
    if (err instanceof PowerInputError) return json({ error: err.message }, { status: 400 });
    throw err;
  }
}
