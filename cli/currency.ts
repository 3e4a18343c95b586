import { openCliDb } from "./db";
import { activeDatasetId, getDataset, setDatasetCurrency } from "~/db/datasets.server";
import { parseCurrency } from "~/lib/currency";
import { parse, positiveInt, UsageError } from "./args";
import { CURRENCY_USAGE } from "./usage";
import { messageOf } from "~/lib/errors";

// `currency CODE|none [--dataset ID]` (issue 14): sets a data set's currency, as the Data page and PATCH /api/datasets/:id do.
export async function currencyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    dataset: { type: "string" },
    db: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${CURRENCY_USAGE}`);
  let currency: string | null = null;
  if (positionals[0].toLowerCase() !== "none") {
    try {
      currency = parseCurrency(positionals[0]);
    } catch (err) {
      throw new UsageError(messageOf(err));
    }
  }
  const db = openCliDb(values.db);
  try {
    const id = positiveInt(values.dataset, "--dataset") ?? activeDatasetId(db);
    const dataset = id === null || id === undefined ? null : getDataset(db, id);
    if (!dataset)
      throw new Error(
        values.dataset
          ? `No data set with id ${values.dataset}`
          : "No data set yet: import one first (npm run -s cli -- import FILE)",
      );
    setDatasetCurrency(db, dataset.id, currency);
    process.stdout.write(
      values.json
        ? JSON.stringify({ id: dataset.id, name: dataset.name, currency }) + "\n"
        : `"${dataset.name}": amounts ${currency ? `in ${currency}` : "as plain numbers"}\n`,
    );
  } finally {
    db.$client.close();
  }
}
