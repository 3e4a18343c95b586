import { historyOf } from "./history.server";
import type { Db } from "~/db/db.server";
import { getAudience } from "~/segments/audiences.server";
import { personaCentroids } from "~/segments/store.server";
import { backtest, type Backtest } from "./backtest";

/**
 * A saved audience's back-tested baselines (issue 14: the power calculator starts from them, not from 5%): members as of
 * T = last day − W, outcome over the W days after, as the experiment form's back-test. Null: no such audience here.
 */
export function savedAudienceBaselines(
  db: Db,
  datasetId: number,
  audienceId: number,
  windowDays: number,
): (Backtest & { name: string }) | null {
  const audience = getAudience(db, audienceId);
  if (!audience || audience.datasetId !== datasetId) return null;
  const d = audience.definition;
  const centroids = d.kind === "persona" ? personaCentroids(db, datasetId, d.k) : null;
  return { name: audience.name, ...backtest(historyOf(db, datasetId), d, windowDays, undefined, centroids) };
}
