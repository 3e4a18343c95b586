import { activeDataset } from "~/db/active.server";
import { getFacts } from "./facts.server";
import type { Facts } from "./facts";

/** The active data set's facts for a page or API call, or null when nothing has been imported. */
export function activeFacts(): { facts: Facts; dataset: { id: number; name: string } } | null {
  const active = activeDataset();
  return active && { facts: getFacts(active.db, active.id), dataset: { id: active.id, name: active.name } };
}

/** Loads the active data set's facts ahead of the first page visit (after start and after an import). */
export function warmActiveFacts(): void {
  activeFacts();
}
