import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentStep } from "~/experiments/api.server";
import { DECISIONS } from "~/experiments/decisions";
import { decideExperiment, experimentJson } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/decide {decision: "ship"|"dont-ship"|"inconclusive", note?} — records the decision and
// completes the experiment; a decision other than the analysis' proposal needs the note.
const schema = z.object({ decision: z.enum(DECISIONS), note: z.string().max(2000).optional() }).strict();

export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(
    request,
    params.id,
    schema,
    ({ active, experiment }, body) => (
      decideExperiment(active.db, experiment.id, body.decision, body.note),
      experimentJson(active.db, experiment.id)
    ),
  );

export const loader = () => methodNotAllowed(["POST"]);
