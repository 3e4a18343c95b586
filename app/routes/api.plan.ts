import { json, type ActionFunctionArgs } from "@remix-run/node";
import { csvResponse, toCsv } from "~/lib/csv";
import { describeIssues } from "~/lib/validation";
import { allocateBudget } from "~/planning/allocate";
import { planRequestSchema } from "~/planning/plan-input";
import { jsonError, readJson } from "~/lib/http.server";

// POST /api/plan {budget, candidates: [{name, audience, costPerContact, valuePerCustomer, lift, grossMargin,
// discountShare}]} — the allocation that maximises expected incremental profit. With ?format=csv (or a form field
// `payload` holding that JSON, as the plan page's download sends it) the allocation as CSV.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST", 405);
  const csv = new URL(request.url).searchParams.get("format") === "csv";
  let body: unknown;
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    const read = await readJson(request);
    if (!read.ok && read.response.status === 413) return read.response;
    body = read.ok ? read.data : undefined;
  } else body = await request.formData().then((f) => { try { return JSON.parse(String(f.get("payload"))); } catch { return undefined; } });
  const parsed = planRequestSchema.safeParse(body);
  if (!parsed.success) return jsonError(body === undefined ? "The body is not JSON" : describeIssues(parsed.error), 400);
  const result = allocateBudget(parsed.data.budget, parsed.data.candidates);
  if (csv) {
    return csvResponse("plan.csv", toCsv(["campaign", "contacts", "spend", "expected_profit", "incremental_revenue", "profit_per_contact", "return_per_spend"],
      result.allocations.map((a) => [a.name, a.contacts, round(a.spend), round(a.expectedProfit), round(a.incrementalRevenue), round(a.profitPerContact, 4), a.returnPerSpend === null ? null : round(a.returnPerSpend, 4)])));
  }
  return json(result);
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
