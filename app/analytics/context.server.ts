import { getDb } from "~/db/db.server";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { getFacts } from "./facts.server";
import type { Facts } from "./facts";

/** The active data set's facts for a page or API call, or null when nothing has been imported. */
export function activeFacts(): { facts: Facts; dataset: { id: number; name: string } } | null {
  const db = getDb();
  const id = activeDatasetId(db);
  const dataset = id === null ? null : getDataset(db, id);
  if (!dataset) return null;
  return { facts: getFacts(db, dataset.id), dataset: { id: dataset.id, name: dataset.name } };
}

/** Loads the active data set's facts ahead of the first page visit (after start and after an import). */
export function warmActiveFacts(): void {
  activeFacts();
}
