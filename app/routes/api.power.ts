import { json, type ActionFunctionArgs } from "@remix-run/node";
import { powerInputSchema, powerRequestSchema } from "~/experiments/power-input";
import { analysePower } from "~/experiments/stats/power";
import { appErrorResponse, jsonError, readJsonBody } from "~/lib/http.server";

// POST /api/power — one power input (or an array of them) as in `cli power --json`: sizes, power or reachable MDE.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST with a JSON body", 405);
  const parsed = await readJsonBody(request, (body) => (Array.isArray(body) ? powerRequestSchema : powerInputSchema));
  if (!parsed.ok) return parsed.response;
  try {
    return json(Array.isArray(parsed.data) ? parsed.data.map(analysePower) : analysePower(parsed.data));
  } catch (err) {
    return appErrorResponse(err); // PowerInputError: an effect no sample can detect, 400
  }
}
