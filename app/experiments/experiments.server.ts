import type { Db } from "~/db/db.server";
import { getFacts } from "~/analytics/facts.server";
import { audienceMembers, audienceSize, describeAudience, getAudience, type AudienceDefinition } from "~/segments/audiences.server";
import { ensureSegments } from "~/segments/compute.server";
import { assignArms } from "./assignment";
import { backtest, type Backtest } from "./backtest";
import { designSchema, type Design, type ExperimentAudience } from "./design";
import { analysePower, mdeAt, powerCurve, PowerInputError, type PowerInput, type PowerResult } from "./stats/power";
import { AppError, type ErrorCode } from "~/lib/errors";
import { chosenK, personaCentroids } from "~/segments/store.server";

// Experiment records: designs with every version kept, baselines back-tested from the data set, the power analysis,
// and the start (frozen design, deterministic assignment).

export type ExperimentStatus = "draft" | "running" | "completed";
export type Experiment = { id: number; datasetId: number; name: string; status: ExperimentStatus; design: Design; version: number; createdAt: string; updatedAt: string; startedAt: string | null };

type Row = { id: number; dataset_id: number; name: string; status: ExperimentStatus; design: string; version: number; created_at: string; updated_at: string; started_at: string | null };
const toExperiment = (r: Row): Experiment => ({
  id: r.id, datasetId: r.dataset_id, name: r.name, status: r.status, design: designSchema.parse(JSON.parse(r.design)), version: r.version,
  createdAt: r.created_at, updatedAt: r.updated_at, startedAt: r.started_at,
});

export function listExperiments(db: Db, datasetId: number, status?: ExperimentStatus): Experiment[] {
  const rows = (status
    ? db.$client.prepare("SELECT * FROM experiments WHERE dataset_id = ? AND status = ? ORDER BY id DESC").all(datasetId, status)
    : db.$client.prepare("SELECT * FROM experiments WHERE dataset_id = ? ORDER BY id DESC").all(datasetId)) as Row[];
  return rows.map(toExperiment);
}

export function getExperiment(db: Db, id: number): Experiment | null {
  const row = db.$client.prepare("SELECT * FROM experiments WHERE id = ?").get(id) as Row | undefined;
  return row ? toExperiment(row) : null;
}

export function experimentVersions(db: Db, id: number): { version: number; savedAt: string; design: Design }[] {
  return (db.$client.prepare("SELECT version, saved_at, design FROM experiment_versions WHERE experiment_id = ? ORDER BY version DESC").all(id) as { version: number; saved_at: string; design: string }[]).map(
    (v) => ({ version: v.version, savedAt: v.saved_at, design: JSON.parse(v.design) as Design }),
  );
}

/** A request the experiment's state refuses (a frozen design, a deleted audience, nothing to assign): 409 by default. */
export class ExperimentError extends AppError {
  constructor(message: string, code: ErrorCode = "conflict") {
    super(message, code);
  }
}

/** Creates (no id) or updates a draft; every save is a new version. A running or completed design cannot change. */
export function saveExperiment(db: Db, datasetId: number, design: Design, id?: number): number {
  const sqlite = db.$client;
  const now = new Date().toISOString();
  const json = JSON.stringify(design);
  return sqlite.transaction(() => {
    if (id === undefined) {
      const newId = Number(sqlite.prepare("INSERT INTO experiments (dataset_id, name, status, design, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?)").run(datasetId, design.name, "draft", json, 1, now, now).lastInsertRowid);
      sqlite.prepare("INSERT INTO experiment_versions (experiment_id, version, saved_at, design) VALUES (?,?,?,?)").run(newId, 1, now, json);
      return newId;
    }
    const current = getExperiment(db, id);
    if (!current || current.datasetId !== datasetId) throw new ExperimentError("That experiment no longer exists");
    if (current.status !== "draft") throw new ExperimentError(`The experiment is ${current.status}: its design is frozen`);
    const version = current.version + 1;
    sqlite.prepare("UPDATE experiments SET name = ?, design = ?, version = ?, updated_at = ? WHERE id = ?").run(design.name, json, version, now, id);
    sqlite.prepare("INSERT INTO experiment_versions (experiment_id, version, saved_at, design) VALUES (?,?,?,?)").run(id, version, now, json);
    return id;
  })();
}

/** An experiment audience as an audience definition, with a label. */
export function resolveAudience(db: Db, audience: ExperimentAudience): { definition: AudienceDefinition; label: string } {
  if (audience.kind === "audience") {
    const saved = getAudience(db, audience.id);
    if (!saved) throw new ExperimentError("The saved audience of this experiment was deleted: choose another");
    return { definition: saved.definition, label: `${saved.name} (${describeAudience(saved.definition)})` };
  }
  const definition: AudienceDefinition = audience.kind === "segment" ? { kind: "segment", segment: audience.segment } : { kind: "persona", k: audience.k, cluster: audience.cluster, name: audience.name };
  return { definition, label: describeAudience(definition) };
}

function centroidsFor(db: Db, datasetId: number, definition: AudienceDefinition): number[][] | null {
  if (definition.kind !== "persona") return null;
  return personaCentroids(db, datasetId, definition.k);
}

export type BaselineValue = { value: number | null; typed: boolean };
export type ExperimentBaselines = Backtest & { used: Record<"conversion" | "revenueMean" | "revenueSd" | "aov" | "aovSd" | "refundRate", BaselineValue> };

/** The audience's back-tested baselines, with the values typed by the user taking precedence (marked typed). */
export function experimentBaselines(db: Db, datasetId: number, design: Design): ExperimentBaselines {
  ensureSegments(db, datasetId);
  const { definition } = resolveAudience(db, design.audience);
  const result = backtest(getFacts(db, datasetId), definition, design.windowDays, design.referenceDate, centroidsFor(db, datasetId, definition));
  const b = result.baselines;
  const pick = (key: keyof ExperimentBaselines["used"], measured: number | null): BaselineValue =>
    design.baselines[key] !== undefined ? { value: design.baselines[key]!, typed: true } : { value: measured, typed: false };
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
  availableControl: number;
  reachableMde: number | null;
  tooSmall: boolean;
  curve: { n: number; power: number }[];
  problem: string | null;
};

/** The power analysis of a design on its baselines and its audience's current size. */
export function experimentPower(design: Design, baselines: ExperimentBaselines, audienceCustomers: number): ExperimentPower {
  const control = design.arms[0].share;
  const treatments = design.arms.slice(1);
  const ratio = Math.min(...treatments.map((a) => a.share)) / control; // the smallest arm decides
  const u = baselines.used;
  const common = { mde: design.stats.mde, relative: design.stats.relative, alpha: design.stats.alpha, power: design.stats.power, sides: design.stats.sides, ratio, arms: treatments.length, method: design.stats.method };
  let input: PowerInput;
  let problem: string | null = null;
  if (design.primaryMetric === "conversion") {
    input = { ...common, metric: "proportion", baseline: u.conversion.value ?? undefined };
    if (!(input.baseline! > 0 && input.baseline! < 1)) problem = "No conversion in the back-test window: type a baseline conversion rate.";
    else if (!((design.stats.relative ? input.baseline! * (1 + design.stats.mde) : input.baseline! + design.stats.mde) < 1)) problem = "The MDE moves the conversion rate above 100%.";
  } else {
    const revenue = design.primaryMetric === "revenue";
    input = { ...common, metric: "mean", mean: (revenue ? u.revenueMean.value : u.aov.value) ?? undefined, sd: (revenue ? u.revenueSd.value : u.aovSd.value) ?? undefined };
    if (!(input.sd! > 0)) problem = `No ${revenue ? "revenue" : "order"} variation in the back-test window: type a baseline and its standard deviation.`;
  }
  const availableControl = Math.floor(audienceCustomers * control);
  const empty = { input: null, result: null, audienceSize: audienceCustomers, availableControl, reachableMde: null, tooSmall: false, curve: [] };
  if (problem) return { ...empty, problem };
  try {
    const result = analysePower(input);
    const reachableMde = availableControl >= 2 ? safe(() => mdeAt(input, availableControl)) : null;
    const needed = Math.ceil(result.nControl / control);
    return {
      input, result, audienceSize: audienceCustomers, availableControl, reachableMde,
      tooSmall: audienceCustomers < needed,
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

export function currentAudienceSize(db: Db, datasetId: number, design: Design): { customers: number; revenue: number; label: string } {
  const { definition, label } = resolveAudience(db, design.audience);
  return { ...audienceSize(db, datasetId, definition), label };
}

/** Starts a draft: freezes the design and assigns every current audience customer to an arm, in one transaction. */
export function startExperiment(db: Db, id: number): { assigned: number; perArm: number[] } {
  const experiment = getExperiment(db, id);
  if (!experiment) throw new ExperimentError("That experiment no longer exists");
  if (experiment.status !== "draft") throw new ExperimentError(`The experiment is already ${experiment.status}`);
  const { definition } = resolveAudience(db, experiment.design.audience);
  const customers = audienceMembers(db, experiment.datasetId, definition);
  if (customers.length === 0) throw new ExperimentError("The audience is empty: nobody to assign");
  const arms = assignArms(id, customers, experiment.design.arms.map((a) => a.share));
  const perArm = experiment.design.arms.map(() => 0);
  const sqlite = db.$client;
  sqlite.transaction(() => {
    const insert = sqlite.prepare("INSERT INTO assignments (experiment_id, customer_id, arm) VALUES (?,?,?)");
    customers.forEach((c, i) => {
      insert.run(id, c, arms[i]);
      perArm[arms[i]]++;
    });
    sqlite.prepare("UPDATE experiments SET status = 'running', started_at = ? WHERE id = ?").run(new Date().toISOString(), id);
  })();
  return { assigned: customers.length, perArm };
}

export function assignmentRows(db: Db, id: number): { customerId: string; arm: number }[] {
  return db.$client.prepare("SELECT customer_id AS customerId, arm FROM assignments WHERE experiment_id = ? ORDER BY customer_id").all(id) as { customerId: string; arm: number }[];
}

export function assignmentCounts(db: Db, id: number): number[] {
  return (db.$client.prepare("SELECT arm, COUNT(*) AS n FROM assignments WHERE experiment_id = ? GROUP BY arm ORDER BY arm").all(id) as { arm: number; n: number }[]).reduce<number[]>((acc, r) => ((acc[r.arm] = r.n), acc), []);
}

export type DesignPreview = { audience: { customers: number; revenue: number; label: string }; baselines: ExperimentBaselines; power: ExperimentPower };

/** Everything the design panel shows for a design: audience size now, back-tested baselines, power analysis. */
export function designPreview(db: Db, datasetId: number, design: Design): DesignPreview {
  const audience = currentAudienceSize(db, datasetId, design);
  const baselines = experimentBaselines(db, datasetId, design);
  return { audience, baselines, power: experimentPower(design, baselines, audience.customers) };
}

/** Options of the form's audience picker: saved audiences, segments, personas of the chosen k. */
export function audienceOptions(db: Db, datasetId: number) {
  ensureSegments(db, datasetId);
  const personas = db.$client.prepare("SELECT k, cluster, name FROM personas WHERE dataset_id = ? AND k = ? ORDER BY cluster").all(datasetId, chosenK(db, datasetId)) as { k: number; cluster: number; name: string }[];
  const saved = (db.$client.prepare("SELECT id, name FROM audiences WHERE dataset_id = ? ORDER BY name").all(datasetId) as { id: number; name: string }[]);
  return { personas, saved };
}
