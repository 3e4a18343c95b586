import { activeDataset } from "~/db/active.server";
import type { Db } from "~/db/db.server";
import { getExperiment, type Experiment } from "./store.server";

export type ActiveExperiment = { active: { db: Db; id: number; name: string }; experiment: Experiment };

/**
 * The experiment `:id` of the active data set, for a route: null when nothing has been imported yet (the page shows its
 * empty state), a thrown 404 when no experiment of the active data set has that id.
 */
export function requireExperiment(id: string | number | undefined): ActiveExperiment | null {
  const active = activeDataset();
  if (!active) return null;
  const experiment = getExperiment(active.db, Number(id));
  if (!experiment || experiment.datasetId !== active.id)
    throw new Response("No such experiment in the active data set", { status: 404 });
  return { active, experiment };
}
