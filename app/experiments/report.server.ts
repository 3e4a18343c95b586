import type { Db } from "~/db/db.server";
import type { CsvValue } from "~/lib/csv";
import { moneyHeader } from "~/lib/currency";
import { METRIC_LABELS } from "./design";
import { ExperimentError, experimentPreview } from "./experiments.server";
import { getExperiment, assignmentCounts } from "./store.server";
import { lifecycleFields, resultsLabel } from "./lifecycle.server";
import { experimentAnalysis } from "./results.server";

// The experiment report: design, audience, baselines, sample size, results, guardrails, decision and methods, as one
// object (JSON download), a flat table (CSV download) and a printable page.

const METHODS = [
  "Baselines: audience membership as of the reference day T from data up to T (RFM recomputed); outcome over " +
    "the W days after T.",
  "Sample size: two-sample z-test with pooled variance under H0 (R power.prop.test, strict) for conversion; " +
    "pooled t-test with the noncentral t (R power.t.test) for revenue and AOV; Bonferroni α / arms for several " +
    "treatments.",
  "Conversion: difference of proportions with the unpooled Wald interval, p-value of the pooled z-test; " +
    "relative lift with the delta-method interval.",
  "Revenue per customer: Welch's t-test from sufficient statistics, Welch–Satterthwaite interval; relative lift " +
    "by the delta method on the same degrees of freedom.",
  "AOV and refund rate: ratio metrics by the delta method.",
  "Several treatments: Holm adjustment of the primary metric's p-values (Benjamini–Hochberg on request); " +
    "guardrails unadjusted, one-sided non-inferiority at α.",
  "Sample ratio mismatch: χ² goodness of fit of users per arm against the planned allocation, flagged at p < 0.001.",
  "CUPED: pre-period spend over the W days before the start as covariate, θ from within-arm covariances (equal " +
    "to OLS of Y on arm and X).",
  "Engines (chosen in the design; definitions of GrowthBook's gbstats 0.8.0): fixed-horizon (above); " +
    "sequential, the always-valid confidence sequence of Waudby-Smith et al. with tuning N*, safe at every look " +
    "and always used for interim measured results; Bayesian, a Gaussian posterior on the effect (flat or a normal " +
    "prior on the lift) giving chance to win, credible interval and expected loss.",
  "Decision: Ship, Don't ship, Keep running (customers or days still needed, never more than the frozen " +
    "assignment can give) or Stop: can't be decided (with the smallest effect the whole audience can detect); " +
    "significant only when the interval shown excludes 0.",
];

export function experimentReport(db: Db, id: number) {
  const e = getExperiment(db, id);
  if (!e) throw new ExperimentError("No such experiment");
  let preview = null;
  try {
    preview = experimentPreview(db, e);
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
  }
  const recorded = experimentAnalysis(db, id);
  return {
    experiment: {
      id: e.id,
      name: e.name,
      status: e.status,
      ...lifecycleFields(e),
      archived: e.archivedAt !== null,
      design: e.design,
    },
    audience: preview?.audience ?? null,
    baselines: preview
      ? {
          referenceDate: preview.baselines.referenceDate,
          windowStart: preview.baselines.windowStart,
          windowEnd: preview.baselines.windowEnd,
          members: preview.baselines.members,
          used: preview.baselines.used,
        }
      : null,
    sampleSize: preview?.power.result ?? null,
    assigned: assignmentCounts(db, id),
    // a rehearsal is labelled wherever the report goes (issue 16): "source": "simulation", "rehearsal": true
    results: recorded ? { ...resultsLabel(recorded.results), notes: recorded.results.notes } : null,
    analysis: recorded?.analysis ?? null,
    methods: METHODS,
  };
}

export type ExperimentReport = ReturnType<typeof experimentReport>;

/** The report as rows of section, item, value (the CSV download). */
export function reportRows(r: ExperimentReport, currency?: string | null): CsvValue[][] {
  const m = (item: string) => moneyHeader(item, currency); // money items name the data set's currency (issue 14)
  const d = r.experiment.design;
  const rows: CsvValue[][] = [
    ...(r.results?.rehearsal ? [["results", "REHEARSAL", "simulated: not a result"] as CsvValue[]] : []),
    ["design", "name", d.name],
    ["design", "status", r.experiment.status],
    ["design", "campaign type", d.campaignType],
    ["design", "hypothesis", d.hypothesis],
    ["design", "primary metric", METRIC_LABELS[d.primaryMetric]],
    ["design", "window days", d.windowDays],
    ...d.arms.map((a): CsvValue[] => ["design", `arm ${a.name} share`, a.share]),
    ["design", "alpha", d.stats.alpha],
    ["design", "power", d.stats.power],
    ["design", "sides", d.stats.sides],
    ["design", "mde", d.stats.mde],
    ["design", "mde relative", d.stats.relative],
    ["design", "engine", d.stats.engine],
    ...d.guardrails.map((g): CsvValue[] => ["design", `guardrail ${g.metric} margin`, g.margin]),
  ];
  if (r.audience) rows.push(["audience", "label", r.audience.label], ["audience", "customers", r.audience.customers]);
  if (r.baselines) {
    rows.push(
      ["baselines", "reference date", r.baselines.referenceDate],
      ["baselines", "members", r.baselines.members],
    );
    for (const [k, v] of Object.entries(r.baselines.used))
      rows.push(["baselines", `${k}${v.typed ? " (typed)" : ""}`, v.value]);
  }
  if (r.sampleSize)
    rows.push(
      ["sample size", "per control arm", r.sampleSize.nControl],
      ["sample size", "per treatment arm", r.sampleSize.nTreatment],
      ["sample size", "total", r.sampleSize.nTotal],
    );
  if (r.results)
    rows.push(
      ["results", "source", r.results.source],
      ["results", "rehearsal", r.results.rehearsal],
      ["results", "recorded at", r.results.recordedAt],
    );
  const accounting = r.results?.notes.accounting as Record<string, number | string> | undefined;
  if (accounting) for (const [k, v] of Object.entries(accounting)) rows.push(["upload", k, v]);
  const a = r.analysis;
  if (a) {
    for (const arm of a.arms)
      rows.push(
        ["arm", `${arm.name} users`, arm.users],
        ["arm", `${arm.name} conversion`, arm.conversion],
        ["arm", m(`${arm.name} revenue per customer`), arm.revenuePerCustomer],
        ["arm", m(`${arm.name} aov`), arm.aov],
        ["arm", `${arm.name} refund rate`, arm.refundRate],
      );
    for (const [metric, comparisons] of Object.entries(a.metrics)) {
      for (const c of comparisons ?? []) {
        const abs = (s: string) => (metric === "revenue" || metric === "aov" ? m(s) : s); // revenue and aov lifts are money
        rows.push(
          ["lift", abs(`${c.arm} ${metric} absolute`), c.absolute.estimate],
          ["lift", abs(`${c.arm} ${metric} absolute ci low`), c.absolute.ci[0]],
          ["lift", abs(`${c.arm} ${metric} absolute ci high`), c.absolute.ci[1]],
          ["lift", `${c.arm} ${metric} p`, c.absolute.pValue],
        );
        rows.push(
          ["lift", `${c.arm} ${metric} relative`, c.relative.estimate],
          ["lift", `${c.arm} ${metric} relative ci low`, c.relative.ci[0]],
          ["lift", `${c.arm} ${metric} relative ci high`, c.relative.ci[1]],
        );
      }
    }
    rows.push(["srm", "chi2", a.srm.chi2], ["srm", "p", a.srm.pValue], ["srm", "flagged", a.srm.flagged]);
    for (const g of a.guardrails) rows.push(["guardrail", `${g.arm} ${g.metric}`, g.verdict]);
    if (a.cuped)
      rows.push(["cuped", "theta", a.cuped.theta], ["cuped", "variance reduction", a.cuped.varianceReduction]);
    rows.push(["analysis", "engine", a.engine.name], ["analysis", "interim", a.engine.interim]);
    if (a.engine.tuning !== null) rows.push(["analysis", "tuning", a.engine.tuning]);
    for (const c of a.primary.comparisons) {
      rows.push(
        ["primary", `${c.arm} relative`, c.relative.estimate],
        ["primary", `${c.arm} relative ci low`, c.relative.ci?.[0] ?? null],
        ["primary", `${c.arm} relative ci high`, c.relative.ci?.[1] ?? null],
      );
      if (c.relative.chanceToWin !== undefined)
        rows.push(
          ["primary", `${c.arm} chance to win`, c.relative.chanceToWin],
          ["primary", `${c.arm} risk if shipped`, c.relative.risk?.[1] ?? null],
        );
      else rows.push(["primary", `${c.arm} p`, c.adjustedP]);
      if (c.relative.reason) rows.push(["primary", `${c.arm} not computable`, c.relative.reason]);
    }
    for (const g of a.guardrails) if (g.reason) rows.push(["guardrail", `${g.arm} ${g.metric} reason`, g.reason]);
    rows.push(
      ["decision", "verdict", a.decision.verdict],
      ["decision", "arm", a.decision.arm],
      ["decision", "extra per arm", a.decision.extraPerArm],
      ["decision", "days left", a.decision.daysLeft],
      ["decision", "smallest detectable", a.decision.smallestDetectable],
    );
    for (const h of a.decision.headline) rows.push(["decision", "headline", h]);
    for (const reason of a.decision.reasons) rows.push(["decision", "reason", reason]);
  }
  return rows;
}
