import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentChange } from "~/experiments/api.server";
import { stopExperiment } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/stop {reason?} — stops a running experiment early: completed, "stopped early", its reason.
const schema = z.object({ reason: z.string().max(2000).optional() }).strict();

export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentChange(request, params.id, schema, (db, id, body) => stopExperiment(db, id, body.reason));

export const loader = () => methodNotAllowed(["POST"]);
