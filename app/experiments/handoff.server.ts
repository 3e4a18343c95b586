import type { Db } from "~/db/db.server";
import { csvResponse, toCsv, type CsvValue } from "~/lib/csv";
import { moneyHeaders } from "~/lib/currency";
import { getDataset } from "~/db/datasets.server";
import { allMembers, type MemberRow } from "~/segments/queries.server";
import { requireExperiment } from "./require.server";
import { assignmentRows, type Experiment } from "./store.server";

// Hand-off to the tools that send campaigns (issue 16): contact.csv (the treatment arms' customers, with their arm),
// holdout.csv (control) and a saved audience's members.csv; each row with the customer's country, segment, persona
// and RFM as of the data set's last day. Cells go through app/lib/csv.ts (formula-injection safe).

const HANDOFF_HEADER = ["customer_id", "country", "segment", "persona", "recency", "frequency", "monetary"];
/** HANDOFF_HEADER with monetary naming the data set's currency: "monetary (GBP)" (issue 14). */
export const handoffHeader = (currency: string | null | undefined) =>
  moneyHeaders(HANDOFF_HEADER, ["monetary"], currency);

const row = (m: MemberRow | undefined, customerId: string): CsvValue[] =>
  m
    ? [m.customerId, m.country, m.segment, m.persona, m.recency, m.frequency, m.monetary]
    : [customerId, null, null, null, null, null, null];

/** The treatment arms' customers (contact) or the control's (holdout) of a started experiment. */
export function handoffRows(
  db: Db,
  e: Experiment,
  kind: "contact" | "holdout",
): { header: string[]; rows: CsvValue[][] } {
  const members = new Map(allMembers(db, e.datasetId).map((m) => [m.customerId, m]));
  const wanted = assignmentRows(db, e.id).filter((a) => (kind === "holdout" ? a.arm === 0 : a.arm > 0));
  const header = handoffHeader(getDataset(db, e.datasetId)?.currency);
  if (kind === "holdout") return { header, rows: wanted.map((a) => row(members.get(a.customerId), a.customerId)) };
  const [id, ...rest] = header;
  return {
    header: [id, "arm", ...rest],
    rows: wanted.map((a) => {
      const [cid, ...more] = row(members.get(a.customerId), a.customerId);
      return [cid, e.design.arms[a.arm].name, ...more];
    }),
  };
}

/** GET /experiments/:id/contact.csv and holdout.csv: 404 before any import, 409 for a draft (nobody is assigned yet). */
export function handoffCsv(id: string | undefined, kind: "contact" | "holdout"): Response {
  const loaded = requireExperiment(id);
  if (!loaded) throw new Response("No data set yet", { status: 404 });
  const { active, experiment: e } = loaded;
  if (e.status === "draft")
    throw new Response("Start the experiment first: a draft has no assignment", { status: 409 });
  const { header, rows } = handoffRows(active.db, e, kind);
  return csvResponse(`experiment-${e.id}-${kind}.csv`, toCsv(header, rows));
}

/** The rows of the given customers (a saved audience's members), in customer id order. */
export function memberRows(db: Db, datasetId: number, customerIds: string[]): CsvValue[][] {
  const wanted = new Set(customerIds);
  return allMembers(db, datasetId)
    .filter((m) => wanted.has(m.customerId))
    .map((m) => row(m, m.customerId));
}
