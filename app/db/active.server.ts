import { getDb, type Db } from "./db.server";
import { activeDatasetId, getDataset } from "./datasets.server";

/** The server's database and its active data set, for a page or API call; null when nothing has been imported. */
export function activeDataset(): { db: Db; id: number; name: string; currency: string | null } | null {
  const db = getDb();
  const id = activeDatasetId(db);
  const dataset = id === null ? null : getDataset(db, id);
  return dataset ? { db, id: dataset.id, name: dataset.name, currency: dataset.currency } : null;
}
