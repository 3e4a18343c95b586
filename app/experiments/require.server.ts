import { activeDataset } from "~/db/active.server";
import { getDataset } from "~/db/datasets.server";
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
  if (!experiment) throw new Response("No such experiment in the active data set.", { status: 404 });
  if (experiment.datasetId !== active.id) {
    // a bookmark from before a switch of data set: say where the experiment is rather than that it does not exist
    const owner = getDataset(active.db, experiment.datasetId)!.name;
    throw new Response(
      `Experiment #${experiment.id} belongs to the data set "${owner}", not to the active one ` +
        `("${active.name}"): make "${owner}" active on the Data page to open it.`,
      { status: 404 },
    );
  }
  return { active, experiment };
}
