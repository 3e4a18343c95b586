import { round2 } from "~/ingest/money";
import type { Db } from "~/db/db.server";
import { dayNumber, dayText } from "~/analytics/facts";
import type { History, WindowOutcome } from "./backtest";
import { historyOf } from "./history.server";
import type { Design } from "./design";
import { ExperimentError } from "./experiments.server";
import {
  addHistory,
  assignmentRows,
  getExperiment,
  experimentsState,
  remeasurableIds,
  storedOutcomes,
  storedResults,
  writeResults,
  type Experiment,
} from "./store.server";
import { inTransaction } from "~/db/db.server";
import { isRehearsal, SOURCE_LABELS } from "./sources";
import { compareWithEngine, type Engine, type EngineComparison, type MetricPair } from "./stats/engines";
import { decideExperiment, proposedDecision } from "./lifecycle.server";
import {
  analyseRecorded,
  armStatsFromOutcomes,
  engineSettings,
  type ArmStats,
  type CustomerOutcome,
  type ResultsAnalysis,
} from "./verdict";
import { messageOf } from "~/lib/errors";

// Measured results (issue 13): every assigned customer's outcome over days S+1 … min(S+W, the data set's last day),
// by the back-test's own definitions (backtest.ts outcomesAfter), recorded as source 'measured' and measured again at
// every update of the data set. While fewer than W days are observed the results are interim, read with the
// sequential (always-valid) engine; at day W they are final and the experiment can be completed with its decision.

export type MeasuredArm = {
  name: string;
  users: number;
  conversions: number;
  revenueSum: number;
  orders: number;
  refunded: number;
  preSpendSum: number;
};
export type MeasuredNotes = {
  startDate: string;
  observedThrough: string;
  daysObserved: number;
  windowDays: number;
  final: boolean;
};
export type MeasuredAnalysis = ResultsAnalysis & { interim: boolean; sequential: EngineComparison[] | null };
/** The shape `results measure ID --json` and POST /api/experiments/:id/results {source: "measured"} print. */
export type MeasuredReport = {
  startDate: string;
  observedThrough: string;
  daysObserved: number;
  windowDays: number;
  arms: MeasuredArm[];
  analysis: MeasuredAnalysis | null;
  problem: string | null;
};

/** The start day S of a started experiment (stored at Start by the lifecycle), as a day number. */
function startDayOf(db: Db, e: Experiment): number {
  if (e.status === "draft") throw new ExperimentError("Start the experiment before measuring its results");
  const s = e.startDate;
  if (!s) throw new ExperimentError("This experiment has no start day: nothing to measure from");
  return dayNumber(s);
}

/** Outcomes of the assigned customers over S+1 … min(S+W, through); a customer the data never saw counts as zeros. */
function outcomesThrough(
  history: History,
  rows: { customerId: string; arm: number }[],
  s: number,
  w: number,
  through: number,
): (CustomerOutcome & { customerId: string })[] {
  const measured = history.outcomes(
    rows.map((r) => r.customerId),
    s,
    w,
    through,
  );
  return rows.map((r, i) => ({ customerId: r.customerId, arm: r.arm, ...measured[i] }));
}

function measuredArms(names: string[], outcomes: CustomerOutcome[]): MeasuredArm[] {
  return names.map((name, k) => {
    const mine = outcomes.filter((o) => o.arm === k);
    // money summed in thousandths (each outcome is exact to the thousandth), then rounded to the cent
    const milli = (f: (o: CustomerOutcome) => number) => mine.reduce((s, o) => s + Math.round(f(o) * 1000), 0) / 1000;
    return {
      name,
      users: mine.length,
      conversions: mine.filter((o) => o.converted).length,
      revenueSum: round2(milli((o) => o.revenue)),
      orders: mine.reduce((s, o) => s + o.orders, 0),
      refunded: round2(milli((o) => o.refunded)),
      preSpendSum: round2(milli((o) => o.preSpend)),
    };
  });
}

/** The primary metric of one treatment against control, as the engines take it. */
function primaryPair(design: Design, control: ArmStats, treatment: ArmStats): MetricPair {
  if (design.primaryMetric === "conversion")
    return {
      kind: "proportion",
      control: { name: control.name, users: control.users, conversions: control.conversions },
      treatment: { name: treatment.name, users: treatment.users, conversions: treatment.conversions },
    };
  if (design.primaryMetric === "revenue") {
    const m = (a: ArmStats) => ({ name: a.name, n: a.users, sum: a.revenueSum, sumSquares: a.revenueSquares });
    return { kind: "mean", control: m(control), treatment: m(treatment) };
  }
  const r = (a: ArmStats) => ({
    name: a.name,
    n: a.users,
    num: a.revenueSum,
    den: a.orders,
    numSquares: a.revenueSquares,
    denSquares: a.ordersSquares ?? 0,
    cross: a.revenueOrders ?? 0,
  });
  return { kind: "ratio", control: r(control), treatment: r(treatment) };
}

/** The primary metric's comparisons with the engine of the reading: sequential while interim, fixed-horizon when final. */
function primaryComparisons(design: Design, arms: ArmStats[], interim: boolean): EngineComparison[] {
  const [control, ...treatments] = arms;
  return treatments.map((t) => compareWithEngine(primaryPair(design, control, t), engineSettings(design, interim)));
}

/**
 * The analysis of measured results. Final (day W observed): the fixed-horizon analysis and its decision. Interim: the
 * same figures, the primary metric read with the sequential engine (always valid at any look), and the decision is to
 * keep running until day W (no completion before it).
 */
function analyseMeasured(
  design: Design,
  arms: ArmStats[],
  outcomes: CustomerOutcome[],
  notes: MeasuredNotes,
  assigned: number[] | null = null,
): MeasuredAnalysis {
  const analysis = analyseRecorded(design, arms, {
    outcomes,
    assigned,
    interim: notes.final ? null : { daysObserved: notes.daysObserved, windowDays: notes.windowDays },
  });
  if (notes.final) return { ...analysis, interim: false, sequential: null };
  const left = notes.windowDays - notes.daysObserved;
  return {
    ...analysis,
    interim: true,
    sequential: analysis.primary.comparisons,
    // no completion before day W: the interim decision is to keep running, with the sequential reading as its reasons
    decision: {
      ...analysis.decision,
      verdict: "keep-running",
      arm: null,
      extraPerArm: null,
      daysLeft: left,
      reasons: [
        `Interim: day ${notes.daysObserved} of ${notes.windowDays} observed, through ` +
          `${notes.observedThrough}; keep running: ${left} more day${left === 1 ? "" : "s"} of data complete ` +
          `the window.`,
        ...analysis.decision.reasons,
      ],
    },
  };
}

type Measurement = { notes: MeasuredNotes; outcomes: (CustomerOutcome & { customerId: string })[]; arms: ArmStats[] };

/** Measures a started experiment from its data set as it is now; null while no day after S is in the data. */
function measure(db: Db, e: Experiment, history = historyOf(db, e.datasetId)): Measurement | null {
  const s = startDayOf(db, e);
  const w = e.design.windowDays;
  const through = Math.min(s + w, history.lastDay);
  const days = through - s;
  if (days < 1) return null;
  const outcomes = outcomesThrough(history, assignmentRows(db, e.id), s, w, through);
  const notes: MeasuredNotes = {
    startDate: dayText(s),
    observedThrough: dayText(through),
    daysObserved: days,
    windowDays: w,
    final: days >= w,
  };
  return {
    notes,
    outcomes,
    arms: armStatsFromOutcomes(
      e.design.arms.map((a) => a.name),
      outcomes,
    ),
  };
}

function store(db: Db, id: number, m: Measurement, after: string | null = null): void {
  const previous = storedResults(db, id);
  // the history says what replaced what, as results.server.ts store does for the other sources
  const replaced =
    !previous || previous.source === "measured"
      ? null
      : `replacing ${isRehearsal(previous) ? "a rehearsal" : SOURCE_LABELS[previous.source]}`;
  const note = [replaced, after].filter(Boolean).join("; ") || null;
  inTransaction(db, () => {
    writeResults(db, id, "measured", m.arms, m.notes, m.outcomes);
    addHistory(db, id, `results measured (day ${m.notes.daysObserved} of ${m.notes.windowDays})`, note);
  });
}

function report(e: Experiment, m: Measurement): MeasuredReport {
  const { final: _final, ...notes } = m.notes;
  let analysis: MeasuredAnalysis | null = null;
  let problem: string | null = null;
  try {
    // every assigned customer is measured: the arms are the frozen assignment, the capacity of the decision
    analysis = analyseMeasured(
      e.design,
      m.arms,
      m.outcomes,
      m.notes,
      m.arms.map((a) => a.users),
    );
  } catch (err) {
    problem = messageOf(err);
  }
  return {
    ...notes,
    arms: measuredArms(
      e.design.arms.map((a) => a.name),
      m.outcomes,
    ),
    analysis,
    problem,
  };
}

/** Why a started experiment cannot be measured yet (no day after its start day in the data), or null: for the page and the refusal. */
export function nothingToMeasure(db: Db, e: Experiment, history = historyOf(db, e.datasetId)): string | null {
  if (history.lastDay > startDayOf(db, e)) return null;
  return (
    `Nothing to measure yet: the data ends on ${dayText(history.lastDay)}, the start day. Add newer ` +
    `transactions to the data set (Data page, or import FILE --update NAME).`
  );
}

/**
 * Measures an experiment's results from its data set and records them (source 'measured'), replacing what was recorded.
 * The status does not change: completion is the user's act, offered once day W is observed.
 */
export function recordMeasured(db: Db, id: number): MeasuredReport {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`No experiment ${id} in this data set`, "not-found");
  if (e.status === "completed")
    throw new ExperimentError("The experiment is completed: its results stay as they were when it ended");
  const blocked = nothingToMeasure(db, e);
  if (blocked) throw new ExperimentError(blocked);
  const m = measure(db, e)!;
  if (m.arms.some((a) => a.users < 2))
    throw new ExperimentError("Every arm needs at least 2 assigned customers to measure");
  store(db, id, m);
  return report(e, m);
}

/** The recorded measured results with their analysis, or null when the latest results are not measured. */
export function measuredResults(db: Db, id: number): MeasuredReport | null {
  const e = getExperiment(db, id);
  const recorded = storedResults(db, id);
  if (!e || recorded?.source !== "measured") return null;
  return report(e, {
    notes: recorded.notes as MeasuredNotes,
    arms: recorded.arms,
    outcomes: storedOutcomes(db, id),
  });
}

/** Measurements of a data set's experiments, made before an update takes the write lock, and what they depended on. */
export type PendingMeasurements = { state: string; measured: { id: number; m: Measurement }[] };

/**
 * Measures again, from `history` (the data set as an update will leave it), every running experiment of it that has a
 * start day and whose results are measured, a rehearsal, or not recorded yet (typed counts and uploads are the user's
 * own and stay). Reads only: an update calls it before taking the write lock.
 */
export function measureDataset(db: Db, datasetId: number, history: History): PendingMeasurements {
  const state = experimentsState(db, datasetId);
  const measured: PendingMeasurements["measured"] = [];
  for (const id of remeasurableIds(db, datasetId)) {
    const m = measure(db, getExperiment(db, id)!, history);
    if (m && !m.arms.some((a) => a.users < 2)) measured.push({ id, m });
  }
  return { state, measured };
}

/**
 * Stores the measurements (inside the update's transaction); an experiment started, stopped or given results while
 * the update was reading is measured again here from the same history. Returns the ids measured.
 */
export function storeMeasurements(db: Db, datasetId: number, pending: PendingMeasurements, history: History): number[] {
  const now = experimentsState(db, datasetId) === pending.state ? pending : measureDataset(db, datasetId, history);
  for (const { id, m } of now.measured) store(db, id, m, "after an update of the data set");
  return now.measured.map((x) => x.id);
}

export type OverTimeDay = {
  day: number;
  date: string;
  arms: { name: string; users: number; conversions: number; revenue: number }[];
  /** The primary metric's relative lift of each treatment over control, with its interval (sequential while interim). */
  lifts: {
    arm: string;
    estimate: number | null;
    low: number | null;
    high: number | null;
    engine: Engine;
    reason: string | null;
  }[];
};

/** Results over time: for each day 1 … d since S, the cumulative outcomes per arm and the primary metric's lift. */
export function overTime(db: Db, id: number): OverTimeDay[] {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`No experiment ${id} in this data set`, "not-found");
  const s = startDayOf(db, e);
  const history = historyOf(db, e.datasetId);
  const w = e.design.windowDays;
  const days = Math.min(w, history.lastDay - s);
  const rows = assignmentRows(db, id);
  const names = e.design.arms.map((a) => a.name);
  const out: OverTimeDay[] = [];
  for (let d = 1; d <= days; d++) {
    const outcomes = outcomesThrough(history, rows, s, w, s + d);
    const arms = armStatsFromOutcomes(names, outcomes);
    const interim = d < w;
    const lifts = arms.every((a) => a.users >= 2)
      ? primaryComparisons(e.design, arms, interim).map((c) => ({
          arm: c.arm,
          estimate: c.relative.estimate,
          low: c.relative.ci?.[0] ?? null,
          high: c.relative.ci?.[1] ?? null,
          engine: c.engine,
          reason: c.relative.reason,
        }))
      : [];
    out.push({
      day: d,
      date: dayText(s + d),
      arms: measuredArms(names, outcomes).map((a) => ({
        name: a.name,
        users: a.users,
        conversions: a.conversions,
        revenue: a.revenueSum,
      })),
      lifts,
    });
  }
  return out;
}

/** over-time.csv: one line per day and arm; the lift columns are empty on control's lines. */
export function overTimeCsvRows(days: OverTimeDay[]): { header: string[]; rows: (string | number | null)[][] } {
  const header = ["day", "date", "arm", "users", "conversions", "revenue", "lift", "lift_low", "lift_high", "interval"];
  const rows: (string | number | null)[][] = [];
  for (const d of days) {
    for (const a of d.arms) {
      const l = d.lifts.find((x) => x.arm === a.name);
      rows.push([
        d.day,
        d.date,
        a.name,
        a.users,
        a.conversions,
        a.revenue.toFixed(2),
        l?.estimate ?? null,
        l?.low ?? null,
        l?.high ?? null,
        l ? l.engine : null,
      ]);
    }
  }
  return { header, rows };
}

/**
 * Completes an experiment whose measured results are final (day W observed), recording the decision its analysis
 * proposes (the lifecycle's decide, with its history). Refused before day W.
 */
export function completeMeasured(db: Db, id: number): MeasuredReport {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`No experiment ${id} in this data set`, "not-found");
  if (e.status !== "running")
    throw new ExperimentError(`The experiment is ${e.status}: only a running experiment is completed`);
  const r = measuredResults(db, id);
  if (!r) throw new ExperimentError("Measure the results first");
  if (r.daysObserved < r.windowDays)
    throw new ExperimentError(
      `Interim results (day ${r.daysObserved} of ${r.windowDays}): the experiment can be completed once day ${r.windowDays} is observed`,
    );
  const proposal = proposedDecision(db, id);
  if (!r.analysis || !proposal) throw new ExperimentError(r.problem ?? "The results cannot be analysed");
  decideExperiment(db, id, proposal);
  return r;
}
