import { filterSchema } from "~/analytics/filter";
import { openDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { databasePath } from "~/db/paths.server";
import { describeIssues } from "~/lib/validation";
import { toCsv } from "~/lib/csv";
import { CLV_CSV_HEADER, clvCsvRow, valueModel } from "~/planning/value.server";
import { parse, UsageError } from "./args";


export async function clvCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { "calibration-end": { type: "string" }, customers: { type: "boolean" }, db: { type: "string" }, json: { type: "boolean" } });
  const date = filterSchema.safeParse({ from: values["calibration-end"] });
  if (!date.success) throw new UsageError(`--calibration-end: ${describeIssues(date.error).replace(/^from: /, "")}`);
  const db = openDb(databasePath(values.db));
  try {
    const id = activeDatasetId(db);
    if (id === null) throw new Error("No data set yet: import one first (npm run -s cli -- import FILE)");
    const model = valueModel(db, id, date.data.from);
    if (model.customers < 10) throw new Error(`Only ${model.customers} customers bought before ${model.calibrationEnd}: too few to fit`);
    if (values.customers) {
      process.stdout.write(toCsv(CLV_CSV_HEADER, model.rows.map(clvCsvRow)));
      return;
    }
    const out = {
      calibrationEnd: model.calibrationEnd,
      customers: model.customers,
      bgnbd: { r: model.bgnbd.r, alpha: model.bgnbd.alpha, a: model.bgnbd.a, b: model.bgnbd.b, logLikelihood: model.bgnbd.logLikelihood },
      gammaGamma: { p: model.gammaGamma.p, q: model.gammaGamma.q, v: model.gammaGamma.v, customers: model.gammaGamma.customers },
      holdout: model.holdout,
    };
    if (values.json) process.stdout.write(JSON.stringify(out) + "\n");
    else {
      const b = out.bgnbd;
      const g = out.gammaGamma;
      process.stdout.write(
        `Calibration up to ${out.calibrationEnd}: ${out.customers.toLocaleString("en-GB")} customers\n` +
          `BG/NBD r ${b.r.toFixed(4)}, alpha ${b.alpha.toFixed(4)}, a ${b.a.toFixed(4)}, b ${b.b.toFixed(4)} (log-likelihood ${b.logLikelihood.toFixed(2)})\n` +
          `Gamma-Gamma p ${g.p.toFixed(4)}, q ${g.q.toFixed(4)}, v ${g.v.toFixed(4)} (${g.customers} repeat buyers)\n` +
          out.holdout.map((h) => `  x = ${h.x.padStart(2)}: ${String(h.customers).padStart(6)} customers, holdout purchases predicted ${h.predicted.toFixed(3)}, actual ${h.actual.toFixed(3)}`).join("\n") + "\n",
      );
    }
  } finally {
    db.$client.close();
  }
}
