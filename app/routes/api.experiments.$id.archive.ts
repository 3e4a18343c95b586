import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { experimentStep } from "~/experiments/api.server";
import { archiveExperiment, experimentJson } from "~/experiments/lifecycle.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/:id/archive — hides the experiment from the board's columns (any state; restore brings it back).
export const action = ({ request, params }: ActionFunctionArgs) =>
  experimentStep(
    request,
    params.id,
    z.object({}).strict(),
    ({ active, experiment }) => (archiveExperiment(active.db, experiment.id), experimentJson(active.db, experiment.id)),
  );

export const loader = () => methodNotAllowed(["POST"]);
