import { json, type ActionFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { moneyHeaders } from "~/lib/currency";
import { describeIssues } from "~/lib/validation";
import { allocateBudget } from "~/planning/allocate";
import { learnedPlanSchema, planRequestSchema } from "~/planning/plan-input";
import { learnedPlan } from "~/planning/plan.server";
import { activeDataset } from "~/db/active.server";
import { jsonError, readJson } from "~/lib/http.server";

// POST /api/plan {budget, candidates: [{name, audience, costPerContact, valuePerCustomer, lift, grossMargin,
// discountShare}]} — the allocation that maximises expected incremental profit. With ?format=csv (or a form field
// `payload` holding that JSON, as the plan page's download sends it) the allocation as CSV. {budget, learned: true,
// borrow?} plans the active data set's own candidates with their learned lifts and lists those to test first.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST", 405);
  const csv = new URL(request.url).searchParams.get("format") === "csv";
  let body: unknown;
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    const read = await readJson(request);
    if (!read.ok && read.response.status === 413) return read.response;
    body = read.ok ? read.data : undefined;
  } else
    body = await request.formData().then((f) => {
      try {
        return JSON.parse(String(f.get("payload")));
      } catch {
        return undefined;
      }
    });
  if (body && typeof body === "object" && "learned" in body) {
    // {budget, learned: true, borrow?}: the active data set's candidates with their learned lifts (issue #11)
    const learned = learnedPlanSchema.safeParse(body);
    if (!learned.success) return jsonError(describeIssues(learned.error), 400);
    const active = activeDataset();
    if (!active) return jsonError("No data set yet: import one first", 409);
    return json(learnedPlan(active.db, active.id, learned.data.budget, learned.data.borrow));
  }
  const parsed = planRequestSchema.safeParse(body);
  if (!parsed.success)
    return jsonError(body === undefined ? "The body is not JSON" : describeIssues(parsed.error), 400);
  const result = allocateBudget(parsed.data.budget, parsed.data.candidates);
  if (csv) {
    return csvResponse(
      "plan.csv",
      toCsv(
        moneyHeaders(
          [
            "campaign",
            "contacts",
            "spend",
            "expected_profit",
            "incremental_revenue",
            "profit_per_contact",
            "return_per_spend",
          ],
          ["spend", "expected_profit", "incremental_revenue", "profit_per_contact"],
          activeDataset()?.currency,
        ),
        result.allocations.map((a) => [
          a.name,
          a.contacts,
          round(a.spend),
          round(a.expectedProfit),
          round(a.incrementalRevenue),
          round(a.profitPerContact, 4),
          a.returnPerSpend === null ? null : round(a.returnPerSpend, 4),
        ]),
      ),
    );
  }
  return json(result);
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
