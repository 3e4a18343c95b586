import type { Db } from "~/db/db.server";
import { ExperimentError, plannedPower, resolveAudience } from "./experiments.server";
import { listExperiments, type ExperimentStatus } from "./store.server";
import { experimentAnalysis, isRehearsal } from "./results.server";
import { VERDICT_TITLES } from "./verdict";

/**
 * The experiments list: one row per experiment with its audience, planned size and decision. Archived experiments are
 * left out unless asked for, and a rehearsal is marked and proposes no decision (as on the board, board.server.ts).
 */
export function experimentsTable(
  db: Db,
  datasetId: number,
  status?: ExperimentStatus,
  { archived = false }: { archived?: boolean } = {},
) {
  return listExperiments(db, datasetId, status)
    .filter((e) => archived || e.archivedAt === null)
    .map((e) => {
      let audience = "(deleted audience)";
      let plannedTotal: number | null = null;
      try {
        audience = resolveAudience(db, e.design.audience).label;
        plannedTotal = plannedPower(db, datasetId, e.design).result?.nTotal ?? null;
      } catch (err) {
        if (!(err instanceof ExperimentError)) throw err;
      }
      return {
        id: e.id,
        name: e.name,
        campaignType: e.design.campaignType,
        audience,
        status: e.status,
        primaryMetric: e.design.primaryMetric,
        windowDays: e.design.windowDays,
        plannedTotal,
        ...decisionOf(db, e.id),
        updatedAt: e.updatedAt,
        archived: e.archivedAt !== null,
      };
    });
}

function decisionOf(db: Db, id: number): { decision: string | null; rehearsal: boolean } {
  const recorded = experimentAnalysis(db, id);
  // a rehearsal is never a result: it proposes no decision
  if (isRehearsal(recorded?.results)) return { decision: null, rehearsal: true };
  const d = recorded?.analysis?.decision;
  return { decision: d ? `${VERDICT_TITLES[d.verdict]}${d.arm ? `: ${d.arm}` : ""}` : null, rehearsal: false };
}
