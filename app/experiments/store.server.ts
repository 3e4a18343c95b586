import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import { inTransaction, type Db } from "~/db/db.server";
import {
  assignments,
  experimentHistory,
  experimentOutcomes,
  experimentResults,
  experiments,
  experimentVersions as versionsTable,
} from "~/db/schema";
import type { RecordedDecision } from "./decisions";
import { designSchema, type Design } from "./design";
import type { ArmStats, CustomerOutcome } from "./verdict";

// The experiments stage's tables (experiments, experiment_versions, experiment_history, assignments,
// experiment_results, experiment_outcomes), read and written only here, with drizzle's query builder (portable, typed).
// The rules (what may change when) are in experiments.server.ts, lifecycle.server.ts, results.server.ts, measure.server.ts.

export type ExperimentStatus = "draft" | "running" | "completed";
export type Experiment = {
  id: number;
  datasetId: number;
  name: string;
  status: ExperimentStatus;
  design: Design;
  version: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  startDate: string | null;
  archivedAt: string | null;
  stopReason: string | null;
  decision: RecordedDecision | null;
  decisionNote: string | null;
  decidedAt: string | null;
};

type Row = typeof experiments.$inferSelect;
const toExperiment = ({ design, ...r }: Row): Experiment => ({ ...r, design: designSchema.parse(JSON.parse(design)) });

/** The data set's experiments, newest first (archived ones included: the caller filters on archivedAt). */
export function listExperiments(db: Db, datasetId: number, status?: ExperimentStatus): Experiment[] {
  return db
    .select()
    .from(experiments)
    .where(and(eq(experiments.datasetId, datasetId), status ? eq(experiments.status, status) : undefined))
    .orderBy(desc(experiments.id))
    .all()
    .map(toExperiment);
}

export function getExperiment(db: Db, id: number): Experiment | null {
  const row = db.select().from(experiments).where(eq(experiments.id, id)).get();
  return row ? toExperiment(row) : null;
}

/** A new draft at version 1, with its first version kept; returns its id. */
export function insertDraft(db: Db, datasetId: number, design: Design, at: string): number {
  const json = JSON.stringify(design);
  return inTransaction(db, () => {
    const { id } = db
      .insert(experiments)
      .values({ datasetId, name: design.name, status: "draft", design: json, version: 1, createdAt: at, updatedAt: at })
      .returning({ id: experiments.id })
      .get();
    db.insert(versionsTable).values({ experimentId: id, version: 1, savedAt: at, design: json }).run();
    return id;
  });
}

/** A draft's next version: the design replaced and kept beside the earlier ones. */
export function insertVersion(db: Db, id: number, version: number, design: Design, at: string): void {
  const json = JSON.stringify(design);
  inTransaction(db, () => {
    db.update(experiments)
      .set({ name: design.name, design: json, version, updatedAt: at })
      .where(eq(experiments.id, id))
      .run();
    db.insert(versionsTable).values({ experimentId: id, version, savedAt: at, design: json }).run();
  });
}

/** The state columns a step of the lifecycle changes (the design only at the start, when it is frozen). */
export type ExperimentChange = Partial<
  Pick<
    Experiment,
    "status" | "startedAt" | "startDate" | "archivedAt" | "stopReason" | "decision" | "decisionNote" | "decidedAt"
  > & { updatedAt: string; design: Design }
>;

export function updateExperiment(db: Db, id: number, { design, ...change }: ExperimentChange): void {
  db.update(experiments)
    .set({ ...change, ...(design && { design: JSON.stringify(design) }) })
    .where(eq(experiments.id, id))
    .run();
}

/** Deletes an experiment with its versions, history, assignment, results and outcomes, in one transaction. */
export function deleteExperimentRows(db: Db, id: number): void {
  inTransaction(db, () => {
    db.delete(experimentOutcomes).where(eq(experimentOutcomes.experimentId, id)).run();
    db.delete(experimentResults).where(eq(experimentResults.experimentId, id)).run();
    db.delete(assignments).where(eq(assignments.experimentId, id)).run();
    db.delete(experimentHistory).where(eq(experimentHistory.experimentId, id)).run();
    db.delete(versionsTable).where(eq(versionsTable.experimentId, id)).run();
    db.delete(experiments).where(eq(experiments.id, id)).run();
  });
}

/** One line of an experiment's history (what happened, when, with the user's note). */
export function addHistory(
  db: Db,
  experimentId: number,
  action: string,
  note: string | null = null,
  at = new Date().toISOString(),
): void {
  db.insert(experimentHistory).values({ experimentId, at, action, note }).run();
}

export function experimentHistoryOf(
  db: Db,
  experimentId: number,
): { at: string; action: string; note: string | null }[] {
  return db
    .select({ at: experimentHistory.at, action: experimentHistory.action, note: experimentHistory.note })
    .from(experimentHistory)
    .where(eq(experimentHistory.experimentId, experimentId))
    .orderBy(asc(experimentHistory.id))
    .all();
}

export function experimentVersions(db: Db, id: number): { version: number; savedAt: string; design: Design }[] {
  return db
    .select()
    .from(versionsTable)
    .where(eq(versionsTable.experimentId, id))
    .orderBy(desc(versionsTable.version))
    .all()
    .map((v) => ({ version: v.version, savedAt: v.savedAt, design: JSON.parse(v.design) as Design }));
}

/** The frozen assignment of a started experiment: customers[i] goes to arm arms[i]. */
export function insertAssignments(db: Db, experimentId: number, customers: string[], arms: number[]): void {
  // one prepared insert with placeholders, run per row: as fast as hand-written SQL (multi-row values are 3× slower)
  const insert = db
    .insert(assignments)
    .values({ experimentId, customerId: sql.placeholder("customerId"), arm: sql.placeholder("arm") })
    .prepare();
  customers.forEach((customerId, i) => insert.run({ customerId, arm: arms[i] }));
}

export function assignmentRows(db: Db, id: number): { customerId: string; arm: number }[] {
  return db
    .select({ customerId: assignments.customerId, arm: assignments.arm })
    .from(assignments)
    .where(eq(assignments.experimentId, id))
    .orderBy(asc(assignments.customerId))
    .all();
}

/** Customers assigned per arm, indexed by arm. */
export function assignmentCounts(db: Db, id: number): number[] {
  return db
    .select({ arm: assignments.arm, n: sql<number>`count(*)` })
    .from(assignments)
    .where(eq(assignments.experimentId, id))
    .groupBy(assignments.arm)
    .orderBy(asc(assignments.arm))
    .all()
    .reduce<number[]>((acc, r) => ((acc[r.arm] = r.n), acc), []);
}

export type StoredResults = {
  source: "aggregate" | "upload" | "simulation" | "measured";
  recordedAt: string;
  arms: ArmStats[];
  notes: Record<string, unknown>;
};
export type StoredOutcome = CustomerOutcome & { customerId: string };

/** The latest recording of an experiment's results, or null. */
export function storedResults(db: Db, id: number): StoredResults | null {
  const row = db.select().from(experimentResults).where(eq(experimentResults.experimentId, id)).get();
  return row
    ? { source: row.source, recordedAt: row.recordedAt, arms: JSON.parse(row.arms), notes: JSON.parse(row.notes) }
    : null;
}

/** The per-customer outcomes of the latest recording (empty when it was recorded as aggregates). */
export function storedOutcomes(db: Db, id: number): StoredOutcome[] {
  return db
    .select({
      customerId: experimentOutcomes.customerId,
      arm: experimentOutcomes.arm,
      converted: experimentOutcomes.converted,
      revenue: experimentOutcomes.revenue,
      orders: experimentOutcomes.orders,
      refunded: experimentOutcomes.refunded,
      preSpend: experimentOutcomes.preSpend,
    })
    .from(experimentOutcomes)
    .where(eq(experimentOutcomes.experimentId, id))
    .all()
    .map((o) => ({ ...o, converted: o.converted === 1 }));
}

/**
 * Replaces the experiment's recorded results (and its per-customer outcomes, none for aggregates), in the caller's
 * transaction when there is one.
 */
export function writeResults(
  db: Db,
  experimentId: number,
  source: StoredResults["source"],
  arms: ArmStats[],
  notes: object,
  outcomes: StoredOutcome[] | null,
): void {
  inTransaction(db, () => {
    db.delete(experimentOutcomes).where(eq(experimentOutcomes.experimentId, experimentId)).run();
    const row = {
      source,
      recordedAt: new Date().toISOString(),
      arms: JSON.stringify(arms),
      notes: JSON.stringify(notes),
    };
    db.insert(experimentResults)
      .values({ experimentId, ...row })
      .onConflictDoUpdate({ target: experimentResults.experimentId, set: row })
      .run();
    if (!outcomes) return;
    const insert = db
      .insert(experimentOutcomes)
      .values({
        experimentId,
        customerId: sql.placeholder("customerId"),
        arm: sql.placeholder("arm"),
        converted: sql.placeholder("converted"),
        revenue: sql.placeholder("revenue"),
        orders: sql.placeholder("orders"),
        refunded: sql.placeholder("refunded"),
        preSpend: sql.placeholder("preSpend"),
      })
      .prepare();
    for (const o of outcomes) insert.run({ ...o, converted: o.converted ? 1 : 0 });
  });
}

/**
 * The data set's running experiments with a start day whose results are measured, a rehearsal or not recorded yet
 * (typed counts and uploads are the user's own): the ones an update measures again, in id order.
 */
/**
 * What measuring a data set's experiments depends on besides its data: each experiment's id, status, last change and
 * start day, and its results' source and time. An update compares it before and after its unlocked derive step.
 */
export function experimentsState(db: Db, datasetId: number): string {
  return db
    .select({
      id: experiments.id,
      status: experiments.status,
      updatedAt: experiments.updatedAt,
      startDate: experiments.startDate,
      source: experimentResults.source,
      recordedAt: experimentResults.recordedAt,
    })
    .from(experiments)
    .leftJoin(experimentResults, eq(experimentResults.experimentId, experiments.id))
    .where(eq(experiments.datasetId, datasetId))
    .orderBy(asc(experiments.id))
    .all()
    .map((r) => Object.values(r).join("|"))
    .join(";");
}

export function remeasurableIds(db: Db, datasetId: number): number[] {
  return db
    .select({ id: experiments.id })
    .from(experiments)
    .leftJoin(experimentResults, eq(experimentResults.experimentId, experiments.id))
    .where(
      and(
        eq(experiments.datasetId, datasetId),
        eq(experiments.status, "running"),
        isNotNull(experiments.startDate),
        or(isNull(experimentResults.source), inArray(experimentResults.source, ["measured", "simulation"])),
      ),
    )
    .orderBy(asc(experiments.id))
    .all()
    .map((r) => r.id);
}
