import { getDb, type Db } from "~/db/db.server";
import { activeDatasetId, getDataset } from "~/db/datasets.server";

/** The database and the active data set for a segments page, or null when nothing has been imported. */
export function activeDataset(): { db: Db; id: number; name: string } | null {
  const db = getDb();
  const id = activeDatasetId(db);
  const dataset = id === null ? null : getDataset(db, id);
  return dataset ? { db, id: dataset.id, name: dataset.name } : null;
}
