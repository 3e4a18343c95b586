import { filterSchema } from "~/analytics/filter";
import { openCliDb } from "./db";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { closeWarehouses } from "~/db/warehouse.server";
import { describeIssues } from "~/lib/validation";
import { toCsv } from "~/lib/csv";
import { clvCsvHeader, clvCsvRow, valueModel } from "~/planning/value.server";
import { parse, UsageError } from "./args";

export async function clvCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    "calibration-end": { type: "string" },
    customers: { type: "boolean" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  const date = filterSchema.safeParse({ from: values["calibration-end"] });
  if (!date.success) throw new UsageError(`--calibration-end: ${describeIssues(date.error).replace(/^from: /, "")}`);
  const db = openCliDb(values.db);
  try {
    const id = activeDatasetId(db);
    if (id === null) throw new Error("No data set yet: import one first (npm run -s cli -- import FILE)");
    const model = await valueModel(db, id, date.data.from);
    if (model.customers < 10)
      throw new Error(`Only ${model.customers} customers bought before ${model.calibrationEnd}: too few to fit`);
    if (values.customers) {
      process.stdout.write(toCsv(clvCsvHeader(getDataset(db, id)?.currency), model.rows.map(clvCsvRow)));
      return;
    }
    const fit = (f: typeof model.fits.plain) => ({
      bgnbd: {
        r: f.bgnbd.r,
        alpha: f.bgnbd.alpha,
        a: f.bgnbd.a,
        b: f.bgnbd.b,
        logLikelihood: f.bgnbd.logLikelihood,
        status: f.bgnbd.status,
        evaluations: f.bgnbd.evaluations,
      },
      gammaGamma: {
        p: f.gammaGamma.p,
        q: f.gammaGamma.q,
        v: f.gammaGamma.v,
        status: f.gammaGamma.status,
        evaluations: f.gammaGamma.evaluations,
      },
      holdout: f.holdout,
      problems: f.problems,
    });
    const out = {
      calibrationEnd: model.calibrationEnd,
      customers: model.customers,
      // the fit the predictions use (null when neither converged), then both fits with their checks in words
      bgnbd: model.bgnbd && {
        r: model.bgnbd.r,
        alpha: model.bgnbd.alpha,
        a: model.bgnbd.a,
        b: model.bgnbd.b,
        logLikelihood: model.bgnbd.logLikelihood,
      },
      gammaGamma: model.gammaGamma && {
        p: model.gammaGamma.p,
        q: model.gammaGamma.q,
        v: model.gammaGamma.v,
        customers: model.gammaGamma.customers,
      },
      used: model.fits.used,
      reason: model.fits.reason,
      // null, or: the fit used fails its holdout check and the predictions are only a rough guide
      warning: model.fits.warning,
      penalizer: model.fits.penalizer,
      fits: { plain: fit(model.fits.plain), regularised: fit(model.fits.regularised) },
      holdout: model.holdout,
    };
    if (values.json) process.stdout.write(JSON.stringify(out) + "\n");
    else {
      const line = (name: string, f: typeof model.fits.plain) =>
        `${name}: BG/NBD r ${f.bgnbd.r.toFixed(4)}, alpha ${f.bgnbd.alpha.toFixed(4)}, a ${f.bgnbd.a.toPrecision(4)}, b ${f.bgnbd.b.toPrecision(4)} (${f.bgnbd.status}); ` +
        `Gamma-Gamma p ${f.gammaGamma.p.toPrecision(4)}, q ${f.gammaGamma.q.toPrecision(4)}, v ${f.gammaGamma.v.toPrecision(4)} (${f.gammaGamma.status}); ` +
        `holdout ${Math.round(f.holdout.predicted)} predicted, ${f.holdout.actual} made\n` +
        f.problems.map((p) => `  ! ${p}\n`).join("");
      process.stdout.write(
        `Calibration up to ${out.calibrationEnd}: ${out.customers.toLocaleString("en-GB")} customers\n` +
          line("Maximum likelihood", model.fits.plain) +
          line(`Regularised (L2 ${model.fits.penalizer} on log-parameters)`, model.fits.regularised) +
          `${model.fits.reason}\n` +
          (model.fits.warning ? `WARNING: ${model.fits.warning}\n` : "") +
          out.holdout
            .map(
              (h) =>
                `  x = ${h.x.padStart(2)}: ${String(h.customers).padStart(6)} customers, holdout purchases predicted ${h.predicted.toFixed(3)}, actual ${h.actual.toFixed(3)}`,
            )
            .join("\n") +
          "\n",
      );
    }
  } finally {
    db.$client.close();
    // a warehouse data set's summaries came through a pool that would keep the process alive (issue 17)
    await closeWarehouses();
  }
}
