import type { Db } from "~/db/db.server";
import { secondPurchase } from "~/analytics/cohorts";
import { secondPurchaseQuery } from "~/analytics/warehouse-sql";
import { getDataset } from "~/db/datasets.server";
import { listExperiments } from "~/experiments/store.server";
import { experimentAnalysis } from "~/experiments/results.server";
import { segmentSummaries } from "~/segments/queries.server";
import { segmentSlug } from "~/segments/rfm";
import { bestMonths, wholeDataFigure } from "./plan.server";
import { formatMoney } from "~/lib/currency";
import { monthName } from "~/lib/months";
import { percentText } from "~/lib/numbers";

// The seed project's recommendations, each computed from this data set with its numbers and a link to its evidence.

export type Recommendation = { key: string; title: string; text: string; links: { label: string; to: string }[] };

const pct = (x: number) => percentText(x, 1);

export function recommendations(db: Db, datasetId: number): Recommendation[] {
  const out: Recommendation[] = [];
  const currency = getDataset(db, datasetId)?.currency ?? null;
  const money = (x: number) => formatMoney(x, currency);
  const summary = segmentSummaries(db, datasetId);
  const by = (name: string) => summary.segments.find((s) => s.name === name)!;

  const top = [by("Champions"), by("Loyal Customers")];
  const topShare = top.reduce((s, x) => s + x.customerShare, 0);
  const topRevenue = top.reduce((s, x) => s + x.revenueShare, 0);
  out.push({
    key: "high-value",
    title: "Prioritise the high-value segments",
    text:
      `Champions and Loyal Customers are ${pct(topShare)} of customers but bring ${pct(topRevenue)} of net ` +
      `revenue (${money(top[0].revenue + top[1].revenue)}, after returns). Keep them with recognition and ` +
      `early access rather than discounts; test a recommendation banner on Champions.`,
    links: [
      { label: "Champions", to: `/segments/${segmentSlug("Champions")}` },
      { label: "Loyal Customers", to: `/segments/${segmentSlug("Loyal Customers")}` },
      {
        label: "Design a test on Champions",
        to: `/experiments/new?segment=Champions&campaign=${encodeURIComponent("recommendation banner")}`,
      },
    ],
  });

  const dormant = [by("At Risk"), by("Can't Lose Them")];
  out.push({
    key: "reactivate",
    title: "Reactivate dormant customers with high potential",
    text:
      `${dormant[0].customers + dormant[1].customers} customers (At Risk ${dormant[0].customers}, Can't ` +
      `Lose Them ${dormant[1].customers}) spent ${money(dormant[0].revenue + dormant[1].revenue)} net of ` +
      `returns but have not ordered for ` +
      `${Math.round(dormant[0].recency.median)}–${Math.round(dormant[1].recency.median)} days (medians). A ` +
      `reactivation discount experiment on them is the first test to run.`,
    links: [
      { label: "At Risk", to: `/segments/${segmentSlug("At Risk")}` },
      { label: "Can't Lose Them", to: `/segments/${segmentSlug("Can't Lose Them")}` },
      {
        label: "Design a test on At Risk",
        to: `/experiments/new?segment=${encodeURIComponent("At Risk")}&campaign=${encodeURIComponent("reactivation discount")}`,
      },
    ],
  });

  // in memory, or in a warehouse data set's PostgreSQL (issue 17)
  const second = wholeDataFigure(db, datasetId, "second-purchase", secondPurchase, secondPurchaseQuery);
  const share = (d: number) => second.curve[d - 1]?.share ?? null;
  const half = second.curve.find((c) => c.share !== null && c.share >= (share(180) ?? 0) / 2);
  if (share(7) !== null && share(30) !== null) {
    out.push({
      key: "lifecycle",
      title: "Time lifecycle nudges where second purchases fall",
      text:
        `${pct(share(7)!)} of new customers buy again within 7 days and ${pct(share(30)!)} within ` +
        `30${half ? `; half of all second purchases within 180 days have happened by day ${half.days}` : ""}. ` +
        `Send the second-order nudge before day ${half ? Math.max(7, half.days) : 30}, and a Day-30 reminder ` +
        `to those who have not come back.`,
      links: [{ label: "Time to second purchase", to: "/cohorts" }],
    });
  }

  const months = bestMonths(db, datasetId);
  if (months.length) {
    out.push({
      key: "peak-months",
      title: "Put the budget where the season responds",
      text:
        `Revenue per active customer is highest in ` +
        `${months.map((m) => `${monthName(m.month)} (${money(m.revenuePerCustomer)})`).join(", ")} (months ` +
        `the data covers only in part are left out). Concentrate paid campaigns ahead of those months.`,
      links: [
        { label: "Seasonality", to: "/revenue" },
        { label: "Plan", to: "/plan" },
      ],
    });
  }

  const completed = listExperiments(db, datasetId, "completed").flatMap((e) => {
    const d = experimentAnalysis(db, e.id)?.analysis?.decision;
    return d ? [{ e, d }] : [];
  });
  if (completed.length) {
    const shipped = completed.filter((c) => c.d.verdict === "ship");
    out.push({
      key: "experiments",
      title: "Learn from the experiments",
      text:
        `${completed.length} experiment${completed.length > 1 ? "s" : ""} analysed: ${shipped.length} to ` +
        `ship${shipped.length ? ` (${shipped.map((s) => `${s.e.name}: ${s.d.arm}`).join(", ")})` : ""}, ` +
        `${completed.filter((c) => c.d.verdict === "keep-running" || c.d.verdict === "cannot-decide").length} ` +
        `undecided. Their lifts feed the plan.`,
      links: completed.slice(0, 3).map((c) => ({ label: c.e.name, to: `/experiments/${c.e.id}/report` })),
    });
  }
  return out;
}
