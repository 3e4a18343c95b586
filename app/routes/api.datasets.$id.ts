import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db/db.server";
import { getDataset, setDatasetCurrency } from "~/db/datasets.server";
import { optionalCurrencySchema } from "~/lib/currency";
import { jsonError, readJsonBody } from "~/lib/http.server";

// GET /api/datasets/:id — one data set with its full import report.
export async function loader({ params }: LoaderFunctionArgs) {
  const dataset = getDataset(getDb(), Number(params.id));
  if (!dataset) return jsonError("No such data set", 404);
  return json(dataset);
}

const patchSchema = z.object({ currency: optionalCurrencySchema }).strict();

// PATCH /api/datasets/:id {currency: "EUR" | null} — the data set's currency (issue 14), as the Data page and `cli currency` set it.
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "PATCH") return jsonError("Use PATCH", 405);
  const db = getDb();
  const dataset = getDataset(db, Number(params.id));
  if (!dataset) return jsonError("No such data set", 404);
  const parsed = await readJsonBody(request, patchSchema);
  if (!parsed.ok) return parsed.response;
  setDatasetCurrency(db, dataset.id, parsed.data.currency);
  return json(getDataset(db, dataset.id));
}
