import { averageRetention, cohorts, secondPurchase } from "./cohorts";
import {
  dayText,
  monthCoverage,
  monthOf,
  partialLabel,
  scopeOf,
  type Coverage,
  type Facts,
  type Filter,
} from "./facts";
import { insights } from "./insights";
import { kpiReport } from "./kpis";
import { monthly } from "./monthly";
import { countries, mostReturned, productPareto, seasonality, WEEKDAYS } from "./revenue";
import type { CsvValue } from "~/lib/csv";
import { moneyHeader } from "~/lib/currency";

const MONEY_KPIS = new Set<string>(["revenue", "netRevenue", "averageOrderValue"]);

// Every context figure by report name: the same function feeds the pages, `cli report` and GET /api/report/<name>.

export const REPORT_NAMES = [
  "overview",
  "monthly",
  "cohorts",
  "countries",
  "products",
  "seasonality",
  "insights",
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

const base = (facts: Facts, filter: Filter) => {
  const scope = scopeOf(facts, filter);
  return { scope, filter: { from: dayText(scope.fromDay), to: dayText(scope.toDay), country: scope.countryName } };
};

export function overviewReport(facts: Facts, filter: Filter) {
  const { scope, ...head } = base(facts, filter);
  return {
    ...head,
    kpis: kpiReport(facts, scope, dayText),
    monthly: monthly(facts, scope),
    insights: insights(facts, scope),
  };
}

export function cohortsReport(facts: Facts, filter: Filter) {
  const { scope, ...head } = base(facts, filter);
  const rows = cohorts(facts, scope);
  // issue 14: the first cohort's month and every cohort's last column may be months the period covers only in part
  const coverage =
    scope.fromDay > scope.toDay
      ? null
      : { first: monthCoverage(scope, monthOf(scope.fromDay)), last: monthCoverage(scope, monthOf(scope.toDay)) };
  return {
    ...head,
    cohorts: rows,
    averageRetention: averageRetention(rows),
    secondPurchase: secondPurchase(facts, scope),
    coverage,
  };
}

export function revenueReport(facts: Facts, filter: Filter) {
  const { scope, ...head } = base(facts, filter);
  return {
    ...head,
    countries: countries(facts, scope),
    pareto: productPareto(facts, scope),
    mostReturned: mostReturned(facts, scope, 10),
    seasonality: seasonality(facts, scope),
  };
}

export function buildReport(facts: Facts, name: ReportName, filter: Filter) {
  const { scope, ...head } = base(facts, filter);
  switch (name) {
    case "overview":
      return overviewReport(facts, filter);
    case "monthly":
      return { ...head, monthly: monthly(facts, scope) };
    case "cohorts":
      return cohortsReport(facts, filter);
    case "countries":
      return { ...head, countries: countries(facts, scope) };
    case "products":
      return { ...head, ...productPareto(facts, scope), mostReturned: mostReturned(facts, scope, 10) };
    case "seasonality":
      return { ...head, ...seasonality(facts, scope) };
    case "insights":
      return { ...head, insights: insights(facts, scope) };
  }
}

export type Table = { name: string; header: string[]; rows: CsvValue[][] };

/** The tables of a report, as its CSV downloads give them. */
export function reportTables(facts: Facts, name: ReportName, filter: Filter): Table[] {
  const scope = scopeOf(facts, filter);
  const m = (header: string) => moneyHeader(header, facts.currency); // money columns name the currency (issue 14)
  switch (name) {
    case "overview": {
      const k = kpiReport(facts, scope, dayText);
      const metrics = [
        "revenue",
        "netRevenue",
        "orders",
        "customers",
        "averageOrderValue",
        "repeatCustomerRate",
        "refundRate",
      ] as const;
      return [
        {
          name: "kpis",
          header: ["metric", "unit", "current", "previous"],
          rows: metrics.map((x) => [
            x,
            MONEY_KPIS.has(x) ? (facts.currency ?? "") : "",
            k.current[x],
            k.previous?.[x] ?? null,
          ]),
        },
        ...reportTables(facts, "monthly", filter),
        ...reportTables(facts, "insights", filter),
      ];
    }
    case "monthly":
      return [
        {
          name: "monthly",
          header: [
            "month",
            m("revenue"),
            "orders",
            "customers",
            "new_customers",
            "returning_customers",
            "days_covered",
            "days_in_month",
          ],
          rows: monthly(facts, scope).map((m) => [
            m.month,
            m.revenue,
            m.orders,
            m.customers,
            m.newCustomers,
            m.returningCustomers,
            m.days,
            m.daysInMonth,
          ]),
        },
      ];
    case "cohorts": {
      const rows = cohorts(facts, scope);
      const width = rows[0]?.active.length ?? 0;
      const ks = Array.from({ length: width }, (_, k) => `m${k}`);
      const second = secondPurchase(facts, scope);
      // issue 14, as the heatmap marks them: a cohort acquired in a partial month, and each cohort's last column (the
      // period's last month) when that month is not yet complete
      const mark = (c: Coverage) => (c.partial ? partialLabel(c) : "full");
      const marks = (i: number) => [
        mark(monthCoverage(scope, monthOf(scope.fromDay) + i)),
        mark(monthCoverage(scope, monthOf(scope.toDay))),
      ];
      const partial = ["cohort_month_coverage", "last_column_coverage"];
      return [
        {
          name: "cohorts-active",
          header: ["cohort", "size", ...ks, ...partial],
          rows: rows.map((r, i) => [r.month, r.size, ...r.active, ...marks(i)]),
        },
        {
          name: "cohorts-revenue",
          header: ["cohort", "size", ...ks.map(m), ...partial],
          rows: rows.map((r, i) => [r.month, r.size, ...r.revenue, ...marks(i)]),
        },
        {
          name: "second-purchase",
          header: ["days", "share_bought_again", "customers_observed"],
          rows: second.curve.map((c) => [c.days, c.share, c.observed]),
        },
      ];
    }
    case "countries":
      return [
        {
          name: "countries",
          header: ["country", m("revenue"), "share", "customers", "orders", m("average_order_value")],
          rows: countries(facts, scope).map((c) => [
            c.country,
            c.revenue,
            c.share,
            c.customers,
            c.orders,
            c.averageOrderValue,
          ]),
        },
      ];
    case "products": {
      const p = productPareto(facts, scope);
      return [
        {
          name: "products",
          header: [
            "rank",
            "stock_code",
            "description",
            m("net_revenue"),
            m("sales"),
            m("returns"),
            "quantity",
            "orders",
            "share",
            "cumulative_share",
          ],
          rows: p.products.map((r) => [
            r.rank,
            r.stockCode,
            r.description,
            r.revenue,
            r.sales,
            r.returns,
            r.quantity,
            r.orders,
            r.share,
            r.cumulativeShare,
          ]),
        },
        {
          name: "most-returned",
          header: ["stock_code", "description", m("returned_value"), "returned_quantity"],
          rows: mostReturned(facts, scope, 10).map((r) => [
            r.stockCode,
            r.description,
            r.returnedValue,
            r.returnedQuantity,
          ]),
        },
      ];
    }
    case "seasonality": {
      const s = seasonality(facts, scope);
      return [
        {
          name: "months",
          header: ["month", m("revenue"), "orders", "days_covered", "days_in_month"],
          rows: s.months.map((m) => [m.month, m.revenue, m.orders, m.days, m.daysInMonth]),
        },
        {
          name: "weekday-hour",
          header: ["weekday", ...Array.from({ length: 24 }, (_, h) => `h${h}`)],
          rows: s.weekdayHour.map((r, d) => [WEEKDAYS[d], ...r]),
        },
      ];
    }
    case "insights":
      return [
        { name: "insights", header: ["insight", "text"], rows: insights(facts, scope).map((i) => [i.key, i.text]) },
      ];
  }
}
