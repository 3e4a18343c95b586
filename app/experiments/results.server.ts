import { z } from "zod";
import type { Db } from "~/db/db.server";
import { dayNumber } from "~/analytics/facts";
import { CsvReader, type CsvRecord } from "~/ingest/csv";
import { mulberry32 } from "~/lib/random";
import { isRehearsal, SOURCE_LABELS } from "./sources";
import { defaultReferenceDay, memberOf } from "./backtest";
import { historyOf } from "./history.server";
import { centroidsFor, ExperimentError, plannedPower, resolveAudience } from "./experiments.server";
import {
  addHistory,
  assignmentCounts,
  assignmentRows,
  getExperiment,
  storedOutcomes,
  storedResults,
  writeResults,
  type Experiment,
  type StoredResults,
} from "./store.server";
import { inTransaction } from "~/db/db.server";
import {
  analyseResults,
  armStatsFromOutcomes,
  type ArmStats,
  type CustomerOutcome,
  type ResultsAnalysis,
} from "./verdict";
import { messageOf } from "~/lib/errors";

// Recording results three ways (aggregates, a per-customer CSV checked against the assignment, a simulation from the
// audience's own history) and reading them back with their analysis.

const nonNegative = z.number().finite().nonnegative();
export const aggregateArmSchema = z
  .object({
    users: z.number().int().min(2, "at least 2 users"),
    conversions: z.number().int().nonnegative(),
    revenueSum: nonNegative,
    revenueSquares: nonNegative,
    orders: z.number().int().nonnegative(),
    refunded: nonNegative,
  })
  .refine((a) => a.conversions <= a.users, { message: "conversions cannot exceed users", path: ["conversions"] })
  .refine((a) => a.revenueSquares + 1e-9 >= (a.revenueSum * a.revenueSum) / a.users, {
    message: "the sum of squares is below (sum)²/users: impossible",
    path: ["revenueSquares"],
  });

function recordable(db: Db, id: number): Experiment {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError(`Experiment ${id} does not exist`, "not-found");
  if (e.status === "draft") throw new ExperimentError("Start the experiment before recording results");
  if (e.decision)
    throw new ExperimentError("The decision is recorded: the experiment is closed; run it again as a new draft");
  return e;
}

export { isRehearsal, SOURCE_LABELS };

/**
 * Stores a recording in one transaction, after everything that could refuse it has been checked (the analysis must
 * run on it): a failed recording changes nothing. Real results replace a rehearsal; a rehearsal never replaces real
 * results. Recording never changes the status: completing is the decision (lifecycle.server.ts).
 */
function store(
  db: Db,
  e: Experiment,
  source: StoredResults["source"],
  arms: ArmStats[],
  notes: Record<string, unknown>,
  outcomes: (CustomerOutcome & { customerId: string })[] | null,
) {
  const previous = storedResults(db, e.id);
  if (source === "simulation" && previous && !isRehearsal(previous))
    throw new ExperimentError("this experiment has real results; rehearse on a clone");
  try {
    analyseResults(e.design, arms, outcomes, "holm");
  } catch (err) {
    throw new ExperimentError(
      `These results cannot be analysed, so nothing was recorded: ${messageOf(err)}`,
      "invalid",
    );
  }
  inTransaction(db, () => {
    writeResults(db, e.id, source, arms, notes, outcomes);
    addHistory(
      db,
      e.id,
      source === "simulation" ? "rehearsal recorded (simulated)" : `results recorded (${SOURCE_LABELS[source]})`,
      previous ? `replacing ${isRehearsal(previous) ? "a rehearsal" : SOURCE_LABELS[previous.source]}` : null,
    );
  });
}

/** Aggregate counts per arm, as typed in the results form or sent to the API. */
export function recordAggregates(db: Db, id: number, arms: z.infer<typeof aggregateArmSchema>[]): void {
  const e = recordable(db, id);
  if (arms.length !== e.design.arms.length)
    throw new ExperimentError(`Give results for the ${e.design.arms.length} arms`);
  store(
    db,
    e,
    "aggregate",
    arms.map((a, i) => ({ name: e.design.arms[i].name, ...a })),
    {},
    null,
  );
}

/** Each customer's spend in the W days up to the data set's last day: the CUPED covariate of real results. */
function preSpend(db: Db, e: Experiment, customerIds: string[]): Map<string, number> {
  const history = historyOf(db, e.datasetId);
  // outcomesAfter's pre-period at T = the last day: sales over its W days up to and including the last day
  const outcomes = history.outcomes(customerIds, history.lastDay, e.design.windowDays);
  return new Map(customerIds.map((c, i) => [c, outcomes[i].preSpend]));
}

export type UploadProblem = { line: number; customerId: string; problem: string };
export const ABSENT_CHOICES = ["zero", "exclude"] as const;
export type AbsentChoice = (typeof ABSENT_CHOICES)[number];
/** Everyone accounted for: the assigned customers, the file's lines, those absent from it and how they were treated. */
export type UploadAccounting = {
  assigned: number;
  linesInFile: number;
  accepted: number;
  absent: number;
  absentTreatment: "non-buyers" | "excluded";
  absentCounted: number;
  refused: number;
};

/**
 * A per-customer results CSV (customer_id,arm,converted,revenue,orders,refunded) checked against the assignment:
 * unknown customers, wrong arms, duplicates and unreadable values are listed; the upload is refused with them unless
 * `accept` is set, in which case they are left out and reported with the results. Assigned customers absent from the
 * file are, as the user chose before the import, non-buyers (`zero`: shops export their buyers) or left out
 * (`exclude`). Nothing is dropped silently: the accounting is stored with the results.
 */
export function recordUpload(
  db: Db,
  id: number,
  text: string,
  accept: boolean,
  absent: AbsentChoice = "zero",
): { accepted: number; problems: UploadProblem[]; accounting: UploadAccounting } {
  const e = recordable(db, id);
  const names = e.design.arms.map((a) => a.name.toLowerCase());
  const assigned = new Map(assignmentRows(db, id).map((a) => [a.customerId, a.arm]));
  const records: CsvRecord[] = [];
  const reader = new CsvReader();
  reader.push(
    text.replace(/^\uFEFF/, ""),
    true,
    (r) => records.push(r),
    (p) => records.push({ line: p.line, fields: [], raw: p.raw }),
  );
  const header = records.shift()?.fields.map((h) => h.trim().toLowerCase()) ?? [];
  const expected = ["customer_id", "arm", "converted", "revenue", "orders", "refunded"];
  if (expected.some((c, i) => header[i] !== c))
    throw new ExperimentError(
      `The header must be ${expected.join(",")}; found ${header.join(",") || "nothing"}`,
      "invalid",
    );
  const problems: UploadProblem[] = [];
  const seen = new Set<string>(); // assigned customers with a line in the file
  const lineOf = new Set<string>();
  const rows: {
    customerId: string;
    arm: number;
    converted: boolean;
    revenue: number;
    orders: number;
    refunded: number;
  }[] = [];
  for (const r of records) {
    const [customerId = "", armText = "", conv = "", rev = "", ord = "", ref = ""] = r.fields.map((f) => f.trim());
    const problem = (text: string) => problems.push({ line: r.line, customerId, problem: text });
    if (assigned.has(customerId)) seen.add(customerId);
    if (r.fields.length !== 6) {
      problem(`expected 6 fields, found ${r.fields.length}`);
      continue;
    }
    if (lineOf.has(customerId)) {
      problem("duplicate customer");
      continue;
    }
    lineOf.add(customerId);
    if (!assigned.has(customerId)) {
      problem("not in the experiment's assignment");
      continue;
    }
    const arm = names.indexOf(armText.toLowerCase());
    if (arm < 0) {
      problem(`unknown arm "${armText}"`);
      continue;
    }
    if (arm !== assigned.get(customerId)) {
      problem(`assigned to ${e.design.arms[assigned.get(customerId)!].name}, reported in ${e.design.arms[arm].name}`);
      continue;
    }
    const converted = /^(1|true|yes)$/i.test(conv) ? true : /^(0|false|no)$/i.test(conv) ? false : null;
    const [revenue, orders, refunded] = [Number(rev), Number(ord), Number(ref)];
    if (
      converted === null ||
      !(revenue >= 0) ||
      !Number.isInteger(orders) ||
      orders < 0 ||
      !(refunded >= 0) ||
      rev === "" ||
      ord === "" ||
      ref === ""
    ) {
      problem("unreadable converted/revenue/orders/refunded");
      continue;
    }
    rows.push({ customerId, arm, converted, revenue, orders, refunded });
  }
  if (problems.length && !accept) {
    throw new ExperimentError(
      `${problems.length} line(s) do not match the assignment or cannot be read (first: line ` +
        `${problems[0].line}, ${problems[0].customerId || "?"}: ${problems[0].problem}); fix the file, or ` +
        `accept it with these lines left out and reported`,
      "invalid",
    );
  }
  // absent: assigned customers with no line at all in the file (a refused line is counted under refused, not absent)
  const missing = [...assigned.keys()].filter((c) => !seen.has(c));
  const zeros =
    absent === "zero"
      ? missing.map((customerId) => ({
          customerId,
          arm: assigned.get(customerId)!,
          converted: false,
          revenue: 0,
          orders: 0,
          refunded: 0,
        }))
      : [];
  const all = [...rows, ...zeros];
  if (all.length < 4) throw new ExperimentError("Too few usable lines to analyse", "invalid");
  const spend = preSpend(
    db,
    e,
    all.map((r) => r.customerId),
  );
  const outcomes = all.map((r) => ({ ...r, preSpend: spend.get(r.customerId) ?? 0 }));
  const accounting: UploadAccounting = {
    assigned: assigned.size,
    linesInFile: records.length,
    accepted: rows.length,
    absent: missing.length,
    absentTreatment: absent === "zero" ? "non-buyers" : "excluded",
    absentCounted: zeros.length,
    refused: problems.length,
  };
  store(
    db,
    e,
    "upload",
    armStatsFromOutcomes(
      e.design.arms.map((a) => a.name),
      outcomes,
    ),
    { problems, accounting },
    outcomes,
  );
  return { accepted: rows.length, problems, accounting };
}

export const simulationSchema = z.object({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  conversionLift: z.array(z.number().min(-0.99).max(10)),
  revenueLift: z.array(z.number().min(-0.99).max(10)),
});

/**
 * Simulated results: every assigned customer gets the outcome of a customer drawn (seeded) from the audience's back-test
 * (membership as of T, outcome over the W days after T), with that customer's spend over the W days up to T as the
 * pre-period covariate; then each treatment's true effect: the purchase probability × (1 + conversion lift) and spend
 * × (1 + revenue lift).
 */
export function recordSimulation(db: Db, id: number, settings: z.infer<typeof simulationSchema>): void {
  const e = recordable(db, id);
  const treatments = e.design.arms.length - 1;
  if (settings.conversionLift.length !== treatments || settings.revenueLift.length !== treatments)
    throw new ExperimentError(`Give a lift for each of the ${treatments} treatment arms`);
  const history = historyOf(db, e.datasetId);
  const { definition } = resolveAudience(db, e.design.audience);
  const centroids = centroidsFor(db, e.datasetId, definition, e.design);
  const t = e.design.referenceDate
    ? dayNumber(e.design.referenceDate)
    : defaultReferenceDay(history, e.design.windowDays);
  const members = history
    .asOf(t)
    .filter((c) => memberOf(c, definition, centroids))
    .map((c) => c.customerId);
  if (members.length === 0)
    throw new ExperimentError(
      "The audience had no member at the back-test's reference day: nothing to draw outcomes from",
    );
  const past = history.outcomes(members, t, e.design.windowDays);
  const before = history.outcomes(members, t - e.design.windowDays, e.design.windowDays).map((o) => o.revenue);
  const converters = past.map((h, i) => [h, before[i]] as const).filter(([h]) => h.converted);
  const base = past.filter((h) => h.converted).length / past.length;
  const random = mulberry32(settings.seed);
  const outcomes = assignmentRows(db, id).map(({ customerId, arm }) => {
    const j = Math.floor(random() * past.length);
    let outcome = { ...past[j] };
    let pre = before[j];
    if (arm > 0) {
      const lift = settings.conversionLift[arm - 1];
      // move the purchase probability from p to p(1 + lift) by converting some non-buyers or dropping some buyers
      if (lift > 0 && !outcome.converted && converters.length && random() < (base * lift) / (1 - base)) {
        const [h, b] = converters[Math.floor(random() * converters.length)];
        outcome = { ...h };
        pre = b;
      } else if (lift < 0 && outcome.converted && random() < -lift)
        outcome = { converted: false, revenue: 0, orders: 0, refunded: 0, preSpend: 0 };
      outcome.revenue *= 1 + settings.revenueLift[arm - 1];
    }
    return { customerId, arm, ...outcome, preSpend: pre };
  });
  store(
    db,
    e,
    "simulation",
    armStatsFromOutcomes(
      e.design.arms.map((a) => a.name),
      outcomes,
    ),
    { ...settings, drawnFrom: members.length, referenceDate: new Date(t * 86_400_000).toISOString().slice(0, 10) },
    outcomes,
  );
}

const outcomesOrNull = <T>(rows: T[]): T[] | null => (rows.length ? rows : null);

/** The design's own sizing: control per arm on its back-tested baseline. */
function plannedSizing(db: Db, e: Experiment): { perArm: number; baseline: number } | null {
  try {
    const p = plannedPower(db, e.datasetId, e.design);
    const baseline = p.input ? (p.input.metric === "proportion" ? p.input.baseline : p.input.mean) : undefined;
    return p.result && baseline !== undefined ? { perArm: p.result.nControl, baseline } : null;
  } catch (err) {
    if (err instanceof ExperimentError) return null;
    throw err;
  }
}

/** The stored results with their analysis, or the reason there is none. */
export function experimentAnalysis(
  db: Db,
  id: number,
  correction: "holm" | "bh" = "holm",
): { results: StoredResults; analysis: ResultsAnalysis | null; problem: string | null } | null {
  const e = getExperiment(db, id);
  const results = e && storedResults(db, id);
  if (!e || !results) return null;
  try {
    // the decision's capacity is the frozen assignment: "keep running" never asks for more than it can still give
    // measured results before day W are interim (issue 13): read with the sequential engine, as the results page does
    const n = results.notes as { daysObserved?: number; windowDays?: number };
    const interim =
      results.source === "measured" &&
      n.daysObserved !== undefined &&
      n.windowDays !== undefined &&
      n.daysObserved < n.windowDays
        ? { daysObserved: n.daysObserved, windowDays: n.windowDays }
        : null;
    return {
      results,
      analysis: analyseResults(e.design, results.arms, outcomesOrNull(storedOutcomes(db, id)), {
        correction,
        assigned: assignmentCounts(db, id),
        interim,
        planned: plannedSizing(db, e),
      }),
      problem: null,
    };
  } catch (err) {
    return { results, analysis: null, problem: messageOf(err) };
  }
}
