import type { Db } from "~/db/db.server";
import { historyOf } from "./history.server";
import { dayNumber } from "~/analytics/facts";
import { listAudiences } from "~/segments/audiences.server";
import type { RecordedDecision } from "./decisions";
import { currentAudienceSize, ExperimentError, resolveAudience } from "./experiments.server";
import { assignmentCounts, listExperiments, type Experiment, type ExperimentStatus } from "./store.server";
import { proposedDecision } from "./lifecycle.server";
import { experimentAnalysis } from "./results.server";
import { isRehearsal } from "./sources";

// The Campaigns board (issue 16): the active data set's experiments by status, each card with its audience, arms,
// start day and days observed, the primary lift, the decision, the REHEARSAL label and the one next action.

export type BoardCard = {
  id: number;
  name: string;
  status: ExperimentStatus;
  archived: boolean;
  campaignType: string;
  audience: string;
  audienceSize: number | null;
  arms: { name: string; share: number; assigned: number }[];
  startDate: string | null;
  daysObserved: number | null;
  windowDays: number;
  metric: string;
  lift: { arm: string; estimate: number | null; ci: [number | null, number | null] | null } | null;
  decision: RecordedDecision | null;
  proposal: RecordedDecision | null;
  rehearsal: boolean;
  stoppedEarly: boolean;
  next: { label: "Edit" | "Start" | "Record results" | "Decide" | "Open"; href: string };
};

function card(db: Db, e: Experiment, lastDay: number): BoardCard {
  const started = e.status !== "draft";
  const assigned = started ? assignmentCounts(db, e.id) : [];
  let audience = "(deleted audience)";
  let audienceSize: number | null = started ? assigned.reduce((s, n) => s + (n ?? 0), 0) : null;
  try {
    audience = resolveAudience(db, e.design.audience).label;
    if (!started) audienceSize = currentAudienceSize(db, e.datasetId, e.design).customers;
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
  }
  const recorded = started ? experimentAnalysis(db, e.id) : null;
  const first = recorded?.analysis?.primary.comparisons[0];
  const proposal = started ? proposedDecision(db, e.id) : null;
  const realResults = recorded !== null && !isRehearsal(recorded.results);
  const next: BoardCard["next"] =
    e.status === "draft"
      ? { label: "Start", href: `/experiments/${e.id}#start` }
      : e.decision
        ? { label: "Open", href: `/experiments/${e.id}` }
        : e.status === "running" && !realResults
          ? { label: "Record results", href: `/experiments/${e.id}/results` }
          : { label: "Decide", href: `/experiments/${e.id}#decide` };
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    archived: e.archivedAt !== null,
    campaignType: e.design.campaignType,
    audience,
    audienceSize,
    arms: e.design.arms.map((a, i) => ({ name: a.name, share: a.share, assigned: assigned[i] ?? 0 })),
    startDate: e.startDate,
    daysObserved: e.startDate ? Math.max(0, Math.min(e.design.windowDays, lastDay - dayNumber(e.startDate))) : null,
    windowDays: e.design.windowDays,
    metric: e.design.primaryMetric,
    lift: first ? { arm: first.arm, estimate: first.relative.estimate, ci: first.relative.ci } : null,
    decision: e.decision,
    proposal,
    rehearsal: isRehearsal(recorded?.results),
    stoppedEarly: e.stopReason !== null,
    next,
  };
}

export type Board = { columns: Record<ExperimentStatus, BoardCard[]>; archived: BoardCard[] };

export function campaignBoard(db: Db, datasetId: number): Board {
  const lastDay = historyOf(db, datasetId).lastDay;
  const cards = listExperiments(db, datasetId).map((e) => card(db, e, lastDay));
  const live = cards.filter((c) => !c.archived);
  return {
    columns: {
      draft: live.filter((c) => c.status === "draft"),
      running: live.filter((c) => c.status === "running"),
      completed: live.filter((c) => c.status === "completed"),
    },
    archived: cards.filter((c) => c.archived),
  };
}

/** The empty board's three steps, each ticked when done: import data, pick an audience, design a test. */
export function gettingStarted(db: Db | null, datasetId: number | null) {
  const imported = datasetId !== null;
  const audiences = imported && db ? listAudiences(db, datasetId).length : 0;
  const tests = imported && db ? listExperiments(db, datasetId).length : 0;
  return [
    {
      key: "import",
      label: "Import data",
      detail: "a year of the shop's transactions (CSV, as exported)",
      href: "/data",
      done: imported,
    },
    {
      key: "audience",
      label: "Pick an audience",
      detail: "a segment, an R × FM cell, a persona, or a saved audience",
      href: "/segments",
      done: audiences > 0 || tests > 0,
    },
    {
      key: "design",
      label: "Design a test",
      detail: "sized from the audience's own history",
      href: "/experiments/new",
      done: tests > 0,
    },
  ];
}
