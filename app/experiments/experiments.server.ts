import { inTransaction, type Db } from "~/db/db.server";
import { dayNumber, dayText } from "~/analytics/facts";
import { audienceSize, describeAudience, getAudience, type AudienceDefinition } from "~/segments/audiences.server";
import { assignArms } from "./assignment";
import { backtest, defaultReferenceDay, memberOf, type Backtest } from "./backtest";
import { historyOf } from "./history.server";
import type { Design, ExperimentAudience } from "./design";
import {
  analysePower,
  mdeAt,
  powerAt,
  powerCurve,
  PowerInputError,
  type PowerInput,
  type PowerResult,
} from "./stats/power";
import { guardrailPowers, type GuardrailPower } from "./stats/sizing";
import { AppError, type ErrorCode } from "~/lib/errors";
import { audienceNames, chosenK, personaCentroids, personaNames } from "~/segments/store.server";
import {
  addHistory,
  assignmentRows,
  getExperiment,
  insertAssignments,
  insertDraft,
  insertVersion,
  updateExperiment,
  type Experiment,
} from "./store.server";
import { memo } from "~/analytics/memo.server";
import { rfmVersion, segmentsVersion } from "~/db/version.server";

// Experiment rules: saving designs (every version kept; the tables are in store.server.ts), baselines back-tested from
// the data set, the power analysis, and the start (frozen design, deterministic assignment as of the start day S).

/** A request the experiment's state refuses (a frozen design, a deleted audience, nothing to assign): 409 by default. */
export class ExperimentError extends AppError {
  constructor(message: string, code: ErrorCode = "conflict") {
    super(message, code);
  }
}

/** Creates (no id) or updates a draft; every save is a new version. A running or completed design cannot change. */
export function saveExperiment(db: Db, datasetId: number, design: Design, id?: number, historyNote?: string): number {
  const now = new Date().toISOString();
  return inTransaction(db, () => {
    if (id === undefined) {
      const newId = insertDraft(db, datasetId, design, now);
      addHistory(db, newId, "created", historyNote ?? null, now);
      return newId;
    }
    const current = getExperiment(db, id);
    if (!current || current.datasetId !== datasetId)
      throw new ExperimentError("That experiment no longer exists", "not-found");
    if (current.status !== "draft")
      throw new ExperimentError(`The experiment is ${current.status}: its design is frozen`);
    const version = current.version + 1;
    insertVersion(db, id, version, design, now);
    addHistory(db, id, "saved", `version ${version}`, now);
    return id;
  });
}

/** An experiment audience as an audience definition, with a label. */
export function resolveAudience(
  db: Db,
  audience: ExperimentAudience,
): { definition: AudienceDefinition; label: string } {
  if (audience.kind === "audience") {
    const saved = getAudience(db, audience.id);
    if (!saved)
      throw new ExperimentError("The saved audience of this experiment was deleted: choose another", "invalid");
    return { definition: saved.definition, label: `${saved.name} (${describeAudience(saved.definition)})` };
  }
  const definition: AudienceDefinition =
    audience.kind === "segment"
      ? { kind: "segment", segment: audience.segment }
      : { kind: "persona", k: audience.k, cluster: audience.cluster, name: audience.name };
  return { definition, label: describeAudience(definition) };
}

/** A persona audience's centroids: those its experiment started with, else the data set's current ones. */
export function centroidsFor(
  db: Db,
  datasetId: number,
  definition: AudienceDefinition,
  design?: Design,
): number[][] | null {
  if (definition.kind !== "persona") return null;
  return design?.personaCentroids ?? personaCentroids(db, datasetId, definition.k);
}

export type BaselineValue = { value: number | null; typed: boolean };
export type ExperimentBaselines = Backtest & {
  used: Record<"conversion" | "revenueMean" | "revenueSd" | "aov" | "aovSd" | "refundRate", BaselineValue>;
};

/** The audience's back-tested baselines, with the values typed by the user taking precedence (marked typed). */
export function experimentBaselines(db: Db, datasetId: number, design: Design): ExperimentBaselines {
  const { definition } = resolveAudience(db, design.audience);
  const result = backtest(
    historyOf(db, datasetId),
    definition,
    design.windowDays,
    design.referenceDate,
    centroidsFor(db, datasetId, definition, design),
  );
  const b = result.baselines;
  const pick = (key: keyof ExperimentBaselines["used"], measured: number | null): BaselineValue =>
    design.baselines[key] !== undefined
      ? { value: design.baselines[key]!, typed: true }
      : { value: measured, typed: false };
  return {
    ...result,
    used: {
      conversion: pick("conversion", b.conversion),
      revenueMean: pick("revenueMean", b.revenueMean),
      revenueSd: pick("revenueSd", b.revenueSd),
      aov: pick("aov", b.aov),
      aovSd: pick("aovSd", b.aovSd),
      refundRate: pick("refundRate", b.refundRate),
    },
  };
}

export type ExperimentPower = {
  input: PowerInput | null;
  result: PowerResult | null;
  audienceSize: number;
  /** the control arm the reachable MDE is computed for: the audience's planned split, or the assigned control once started */
  availableControl: number;
  reachableMde: number | null;
  tooSmall: boolean;
  /** customers assigned per arm once started (the sizes the test really has), else null: the plan's split */
  assigned: number[] | null;
  curve: { n: number; power: number }[];
  problem: string | null;
};

/**
 * The power analysis of a design on its baselines and its audience's current size; once started, the reachable MDE
 * and "too small" are those of the arms assigned (446 in control where the planned share gave 440).
 */
function experimentPower(
  design: Design,
  baselines: ExperimentBaselines,
  audienceCustomers: number,
  assigned: number[] | null = null,
): ExperimentPower {
  const control = design.arms[0].share;
  const treatments = design.arms.slice(1);
  const ratio = Math.min(...treatments.map((a) => a.share)) / control; // the smallest arm decides
  const u = baselines.used;
  const common = {
    mde: design.stats.mde,
    relative: design.stats.relative,
    alpha: design.stats.alpha,
    power: design.stats.power,
    sides: design.stats.sides,
    ratio,
    arms: treatments.length,
    method: design.stats.method,
  };
  let input: PowerInput;
  let problem: string | null = null;
  if (design.primaryMetric === "conversion") {
    input = { ...common, metric: "proportion", baseline: u.conversion.value ?? undefined };
    if (!(input.baseline! > 0 && input.baseline! < 1))
      problem = "No conversion in the back-test window: type a baseline conversion rate.";
    else if (
      !((design.stats.relative ? input.baseline! * (1 + design.stats.mde) : input.baseline! + design.stats.mde) < 1)
    )
      problem = "The MDE moves the conversion rate above 100%.";
  } else {
    const revenue = design.primaryMetric === "revenue";
    input = {
      ...common,
      metric: "mean",
      mean: (revenue ? u.revenueMean.value : u.aov.value) ?? undefined,
      sd: (revenue ? u.revenueSd.value : u.aovSd.value) ?? undefined,
    };
    if (!(input.sd! > 0))
      problem = `No ${revenue ? "revenue" : "order"} variation in the back-test window: type a baseline and its standard deviation.`;
  }
  const availableControl = assigned ? assigned[0] : Math.floor(audienceCustomers * control);
  const empty = {
    input: null,
    result: null,
    audienceSize: audienceCustomers,
    availableControl,
    reachableMde: null,
    tooSmall: false,
    assigned,
    curve: [],
  };
  if (problem) return { ...empty, problem };
  try {
    const result = analysePower(input);
    // the assigned arms' own ratio (the smallest treatment decides), as the start's power check
    const reach = assigned ? { ...input, ratio: Math.min(...assigned.slice(1)) / assigned[0] } : input;
    const reachableMde = availableControl >= 2 ? safe(() => mdeAt(reach, availableControl)) : null;
    const needed = Math.ceil(result.nControl / control);
    return {
      input,
      result,
      audienceSize: audienceCustomers,
      availableControl,
      reachableMde,
      tooSmall: assigned
        ? assigned[0] < result.nControl || Math.min(...assigned.slice(1)) < result.nTreatment
        : audienceCustomers < needed,
      assigned,
      curve: powerCurve(input, Math.max(result.nControl * 2, availableControl, 20)),
      problem: null,
    };
  } catch (err) {
    if (err instanceof PowerInputError) return { ...empty, problem: err.message };
    throw err;
  }
}

const safe = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

export function currentAudienceSize(
  db: Db,
  datasetId: number,
  design: Design,
): { customers: number; revenue: number; label: string } {
  const { definition, label } = resolveAudience(db, design.audience);
  return { ...audienceSize(db, datasetId, definition), label };
}

/** The fewest customers any arm may get at the start (issue 16): below it no test can say anything. */
const MIN_PER_ARM = 30;

export type StartPlan = {
  startDate: string;
  customers: string[];
  arms: number[];
  perArm: number[];
  /** the power reachable with these arms at the planned MDE, null when the design has no power analysis */
  power: number | null;
  refusal: string | null;
  warnings: string[];
};

/**
 * What a start on day S would do, without doing it: the audience as of S (the back-test's own membership function,
 * RFM and personas recomputed with data up to S), its hash assignment, the 30-per-arm floor and the power reachable.
 * S is the data set's last transaction day by default; a later send date may be given, an earlier one is refused.
 */
export function planStart(
  db: Db,
  experiment: Experiment,
  options: { startDate?: string; minPerArm?: number } = {},
): StartPlan {
  const history = historyOf(db, experiment.datasetId);
  const last = dayText(history.lastDay);
  const startDate = options.startDate ?? last;
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(startDate) ||
    Number.isNaN(dayNumber(startDate)) ||
    dayText(dayNumber(startDate)) !== startDate
  )
    throw new ExperimentError(`start date: "${startDate}" is not a day (YYYY-MM-DD)`, "invalid");
  if (startDate < last)
    throw new ExperimentError(
      `start date: ${startDate} is before the data set's last day ${last}; the start is that day or a later send date`,
      "invalid",
    );
  const { definition } = resolveAudience(db, experiment.design.audience);
  const centroids = centroidsFor(db, experiment.datasetId, definition, experiment.design);
  const customers = history
    .asOf(dayNumber(startDate))
    .filter((c) => memberOf(c, definition, centroids))
    .map((c) => c.customerId);
  const arms = assignArms(
    experiment.id,
    customers,
    experiment.design.arms.map((a) => a.share),
  );
  const perArm = experiment.design.arms.map(() => 0);
  for (const a of arms) perArm[a]++;
  const floor = options.minPerArm ?? MIN_PER_ARM;
  const small = experiment.design.arms.map((a, i) => ({ name: a.name, n: perArm[i] })).filter((a) => a.n < floor);
  const refusal = small.length
    ? `Too few customers to start: ${small.map((a) => `${a.name} would get ${a.n}`).join(", ")} (at least ` +
      `${floor} per arm; the audience has ${customers.length} as of ${startDate})`
    : null;
  let power: number | null = null;
  const warnings: string[] = [];
  if (!refusal) {
    const baselines = experimentBaselines(db, experiment.datasetId, experiment.design);
    const analysis = experimentPower(experiment.design, baselines, customers.length);
    if (analysis.input) {
      const control = perArm[0];
      const smallest = Math.min(...perArm.slice(1));
      power = powerAt({ ...analysis.input, ratio: smallest / control }, control);
      if (power < experiment.design.stats.power) warnings.push(underpowered(experiment.design, power));
    }
  }
  return { startDate, customers, arms, perArm, power, refusal, warnings };
}

const pctText = (x: number) => `${Math.round(x * 1000) / 10}%`;
function underpowered(design: Design, power: number): string {
  const mde = design.stats.relative ? pctText(design.stats.mde) : String(design.stats.mde);
  return `power ${Math.round(power * 100)}% at the planned MDE of ${mde}, below the planned ${pctText(design.stats.power)}`;
}

/** The history line of a start: the day, each arm's assigned count (formatted as the pages show counts), the warnings. */
export function startNote(startDate: string, arms: { name: string }[], perArm: number[], warnings: string[]): string {
  const sizes = arms.map((a, i) => `${a.name} ${perArm[i].toLocaleString("en-GB")}`).join(", ");
  return `start day ${startDate}; ${sizes}${warnings.length ? `; ${warnings.join("; ")}` : ""}`;
}

/**
 * Starts a draft on day S: refuses an arm under 30 customers; otherwise freezes the design (with its back-test day T
 * written in, so the baselines never move with later data), stores S, and assigns every customer of the audience as of
 * S, in one transaction. An underpowered start proceeds with a warning (the UI asks first; the CLI and API report it).
 */
export function startExperiment(
  db: Db,
  id: number,
  options: { startDate?: string; minPerArm?: number } = {},
): { assigned: number; perArm: number[]; startDate: string; power: number | null; warnings: string[] } {
  const experiment = getExperiment(db, id);
  if (!experiment) throw new ExperimentError("That experiment no longer exists", "not-found");
  if (experiment.status !== "draft") throw new ExperimentError(`The experiment is already ${experiment.status}`);
  const plan = planStart(db, experiment, options);
  if (plan.customers.length === 0)
    throw new ExperimentError(`The audience is empty as of ${plan.startDate}: nobody to assign`);
  if (plan.refusal) throw new ExperimentError(plan.refusal);
  const { definition } = resolveAudience(db, experiment.design.audience);
  const centroids = centroidsFor(db, experiment.datasetId, definition);
  const frozen: Design = {
    ...experiment.design,
    referenceDate:
      experiment.design.referenceDate ??
      dayText(defaultReferenceDay(historyOf(db, experiment.datasetId), experiment.design.windowDays)),
    ...(centroids ? { personaCentroids: centroids } : {}),
  };
  const now = new Date().toISOString();
  inTransaction(db, () => {
    insertAssignments(db, id, plan.customers, plan.arms);
    updateExperiment(db, id, { status: "running", startedAt: now, startDate: plan.startDate, design: frozen });
    addHistory(db, id, "started", startNote(plan.startDate, experiment.design.arms, plan.perArm, plan.warnings), now);
  });
  return {
    assigned: plan.customers.length,
    perArm: plan.perArm,
    startDate: plan.startDate,
    power: plan.power,
    warnings: plan.warnings,
  };
}

export type DesignPreview = {
  audience: { customers: number; revenue: number; label: string };
  baselines: ExperimentBaselines;
  power: ExperimentPower;
  guardrailPower: GuardrailPower[];
  frozen?: boolean;
};

/** Everything the design panel shows for a design: audience size now, back-tested baselines, power analysis. */
export function designPreview(db: Db, datasetId: number, design: Design): DesignPreview {
  const audience = currentAudienceSize(db, datasetId, design);
  const baselines = experimentBaselines(db, datasetId, design);
  const power = experimentPower(design, baselines, audience.customers);
  return { audience, baselines, power, guardrailPower: guardrailPowerOf(design, baselines, power) };
}

/**
 * The design's sizing on its back-tested baselines (the list's planned total, the decision card's planned size),
 * memoised: a preview scans the orders and sorts the customers, so once per design, audience and data version (the
 * chosen k included for a persona audience only).
 * ExperimentError when the audience no longer exists.
 */
export function plannedPower(db: Db, datasetId: number, design: Design): ExperimentPower {
  const definition = resolveAudience(db, design.audience).definition;
  // only a persona's members move when k is chosen: the other audiences keep their sizing (think-time run, issue 15)
  const version = definition.kind === "persona" ? segmentsVersion(db, datasetId) : rfmVersion(db, datasetId);
  const key = `planned-power:${version}:${JSON.stringify(definition)}:${JSON.stringify(design)}`;
  return memo(
    key,
    () => designPreview(db, datasetId, design).power,
    (p) => 512 + 32 * p.curve.length,
  );
}

/** Guardrails are sized too (issue #11): each non-inferiority test's power at its margin, at the planned size or the audience's. */
function guardrailPowerOf(design: Design, baselines: ExperimentBaselines, power: ExperimentPower): GuardrailPower[] {
  const control = power.result ? Math.min(power.result.nControl, power.availableControl) : null;
  const ratio = power.input?.ratio ?? 1;
  const u = baselines.used;
  return guardrailPowers(
    design.guardrails,
    { aov: u.aov.value, aovSd: u.aovSd.value, refundRate: u.refundRate.value, refundSd: baselines.baselines.refundSd },
    control,
    control === null
      ? null
      : power.assigned && power.result
        ? Math.min(power.result.nTreatment, ...power.assigned.slice(1))
        : Math.max(2, Math.floor(control * ratio)),
    design.stats.alpha,
  );
}

/**
 * The preview of an experiment as stored: a draft's live preview, or, once started, the frozen design on the assigned
 * customers (their spend up to S, the back-test at the frozen T), so that the figures never drift with later data.
 */
export function experimentPreview(db: Db, experiment: Experiment): DesignPreview {
  if (experiment.status === "draft" || !experiment.startDate)
    return designPreview(db, experiment.datasetId, experiment.design);
  const rows = assignmentRows(db, experiment.id);
  const assigned = new Set(rows.map((a) => a.customerId));
  const perArm = experiment.design.arms.map(() => 0);
  for (const a of rows) perArm[a.arm]++;
  const atStart = historyOf(db, experiment.datasetId)
    .asOf(dayNumber(experiment.startDate))
    .filter((c) => assigned.has(c.customerId));
  let label: string;
  try {
    label = resolveAudience(db, experiment.design.audience).label;
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
    label = "(audience deleted since the start)";
  }
  const baselines = experimentBaselines(db, experiment.datasetId, experiment.design);
  const power = experimentPower(experiment.design, baselines, assigned.size, perArm);
  return {
    audience: {
      customers: assigned.size,
      revenue: atStart.reduce((s, c) => s + c.monetary, 0),
      label: `${label} · assigned on ${experiment.startDate}`,
    },
    baselines,
    power,
    guardrailPower: guardrailPowerOf(experiment.design, baselines, power),
    frozen: true,
  };
}

/** Options of the form's audience picker: saved audiences, segments, personas of the chosen k. */
export function audienceOptions(db: Db, datasetId: number) {
  return { personas: personaNames(db, datasetId, chosenK(db, datasetId)), saved: audienceNames(db, datasetId) };
}
