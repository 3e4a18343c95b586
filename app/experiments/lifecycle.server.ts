import { inTransaction, type Db } from "~/db/db.server";
import { DECISION_LABELS, decisionOfVerdict, type RecordedDecision } from "./decisions";
import { ExperimentError, saveExperiment } from "./experiments.server";
import { experimentAnalysis } from "./results.server";
import {
  addHistory,
  assignmentCounts,
  deleteExperimentRows,
  experimentHistoryOf,
  getExperiment,
  storedResults,
  updateExperiment,
  type Experiment,
  type StoredResults,
} from "./store.server";
import { isRehearsal } from "./sources";

// The experiment's life after the design (issue 16): stop early, decide, clone ("run again"), archive, restore and
// delete, each kept in the experiment's history. Draft → running (start) → completed (stop early, or the decision).

function existing(db: Db, id: number): Experiment {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`Experiment ${id} does not exist`, "not-found");
  return e;
}

/** Stops a running experiment before its end: it becomes completed, "stopped early", with the user's reason. */
export function stopExperiment(db: Db, id: number, reason?: string): Experiment {
  const e = existing(db, id);
  if (e.status !== "running")
    throw new ExperimentError(`Only a running experiment can be stopped; this one is ${e.status}`);
  const why = reason?.trim() || "stopped early";
  inTransaction(db, () => {
    updateExperiment(db, id, { status: "completed", stopReason: why, updatedAt: new Date().toISOString() });
    addHistory(db, id, "stopped early", why);
  });
  return existing(db, id);
}

/** The decision the analysis of the real results proposes (rehearsals propose nothing), or null. */
export function proposedDecision(db: Db, id: number): RecordedDecision | null {
  const recorded = experimentAnalysis(db, id);
  if (!recorded || isRehearsal(recorded.results) || !recorded.analysis) return null;
  return decisionOfVerdict(recorded.analysis.decision.verdict);
}

/**
 * Records the decision and completes the experiment. A running experiment needs real results; the decision the analysis
 * proposes is taken as it is, any other (an override, or a decision with no proposal) needs the user's reason.
 */
export function decideExperiment(db: Db, id: number, decision: RecordedDecision, note?: string): Experiment {
  const e = existing(db, id);
  if (e.status === "draft") throw new ExperimentError("A draft has nothing to decide: start it first");
  if (e.decision) throw new ExperimentError(`The decision is already recorded: ${DECISION_LABELS[e.decision]}`);
  const proposal = proposedDecision(db, id);
  if (e.status === "running" && proposal === null)
    throw new ExperimentError(
      "Record real results before deciding (a rehearsal is not a result), or stop the experiment early",
    );
  const reason = note?.trim() || null;
  if (decision !== proposal && !reason) {
    throw new ExperimentError(
      proposal
        ? `note: the analysis proposes ${DECISION_LABELS[proposal]}; give the reason for ${DECISION_LABELS[decision]}`
        : "note: there is no analysis to follow; give the reason for the decision",
      "invalid",
    );
  }
  const now = new Date().toISOString();
  inTransaction(db, () => {
    updateExperiment(db, id, { status: "completed", decision, decisionNote: reason, decidedAt: now, updatedAt: now });
    addHistory(
      db,
      id,
      `decided: ${DECISION_LABELS[decision]}${proposal && proposal !== decision ? ` (the analysis proposed ${DECISION_LABELS[proposal]})` : ""}`,
      reason,
      now,
    );
  });
  return existing(db, id);
}

/** A new draft with the same design ("Run again" on a completed experiment, "Clone" on any). */
export function cloneExperiment(db: Db, id: number): number {
  const e = existing(db, id);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { referenceDate: _frozenT, personaCentroids: _frozenPersonas, ...design } = e.design;
  const name = `${e.name} (copy)`.slice(0, 120);
  return inTransaction(db, () => {
    const copy = saveExperiment(db, e.datasetId, { ...design, name }, undefined, `cloned from #${e.id} ${e.name}`);
    addHistory(db, id, "cloned", `as #${copy}`);
    return copy;
  });
}

export function archiveExperiment(db: Db, id: number): Experiment {
  const e = existing(db, id);
  if (e.archivedAt) throw new ExperimentError("The experiment is already archived");
  const now = new Date().toISOString();
  inTransaction(db, () => {
    updateExperiment(db, id, { archivedAt: now });
    addHistory(db, id, "archived", null, now);
  });
  return existing(db, id);
}

export function restoreExperiment(db: Db, id: number): Experiment {
  const e = existing(db, id);
  if (!e.archivedAt) throw new ExperimentError("The experiment is not archived");
  inTransaction(db, () => {
    updateExperiment(db, id, { archivedAt: null });
    addHistory(db, id, "restored");
  });
  return existing(db, id);
}

/**
 * Deletes an experiment with its versions, history, assignment and results, in one transaction. A started experiment
 * is deleted only when its name is typed back (`confirmName`), since its assignment may already have been sent.
 */
export function deleteExperiment(db: Db, id: number, confirmName?: string): void {
  const e = existing(db, id);
  if (e.status !== "draft" && confirmName?.trim() !== e.name)
    throw new ExperimentError(
      `name: type the experiment's name "${e.name}" to delete it with its assignment and results`,
      "invalid",
    );
  deleteExperimentRows(db, id);
}

/** Where an experiment stands, in the order `experimentJson` and the report give these fields (tests pin both). */
export const lifecycleFields = (e: Experiment) => ({
  version: e.version,
  createdAt: e.createdAt,
  startedAt: e.startedAt,
  startDate: e.startDate,
  stopReason: e.stopReason,
  decision: e.decision,
  decisionNote: e.decisionNote,
});

/** Which results are recorded: a rehearsal is labelled wherever they go (issue 16). */
export const resultsLabel = (r: StoredResults) => ({
  source: r.source,
  rehearsal: isRehearsal(r),
  recordedAt: r.recordedAt,
});

/** An experiment as the CLI's `experiment show` and GET /api/experiments/:id give it: design, state, arms, results, history. */
export function experimentJson(db: Db, id: number) {
  const e = existing(db, id);
  const assigned = assignmentCounts(db, id);
  const results = storedResults(db, id);
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    archived: e.archivedAt !== null,
    archivedAt: e.archivedAt,
    ...lifecycleFields(e),
    decidedAt: e.decidedAt,
    arms: e.design.arms.map((a, i) => ({ name: a.name, share: a.share, assigned: assigned[i] ?? 0 })),
    results: results && resultsLabel(results),
    design: e.design,
    history: experimentHistoryOf(db, id),
  };
}
