import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentChange } from "~/experiments/api.server";
import { DECISIONS } from "~/experiments/decisions";
import { decideExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/decide {decision: "ship"|"dont-ship"|"inconclusive", note?} — records the decision and
// completes the experiment; a decision other than the analysis' proposal needs the note.
const schema = z.object({ decision: z.enum(DECISIONS), note: z.string().max(2000).optional() }).strict();

export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentChange(request, params.id, schema, (db, id, body) => decideExperiment(db, id, body.decision, body.note));

export const loader = () => methodNotAllowed(["POST"]);
