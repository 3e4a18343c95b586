import { averageRetention, cohorts, secondPurchase } from "./cohorts";
import {
  dayNumber,
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

// Each report's object by name: the pages, `cli report`, GET /api/report/<name> and the CSV tables read these (a
// warehouse data set's warehouse.server.ts gives the same objects from PostgreSQL).
const REPORTS = {
  overview: overviewReport,
  monthly: (facts: Facts, filter: Filter) => {
    const { scope, ...head } = base(facts, filter);
    return { ...head, monthly: monthly(facts, scope) };
  },
  cohorts: cohortsReport,
  countries: (facts: Facts, filter: Filter) => {
    const { scope, ...head } = base(facts, filter);
    return { ...head, countries: countries(facts, scope) };
  },
  products: (facts: Facts, filter: Filter) => {
    const { scope, ...head } = base(facts, filter);
    return { ...head, ...productPareto(facts, scope), mostReturned: mostReturned(facts, scope, 10) };
  },
  seasonality: (facts: Facts, filter: Filter) => {
    const { scope, ...head } = base(facts, filter);
    return { ...head, ...seasonality(facts, scope) };
  },
  insights: (facts: Facts, filter: Filter) => {
    const { scope, ...head } = base(facts, filter);
    return { ...head, insights: insights(facts, scope) };
  },
} satisfies { [N in ReportName]: (facts: Facts, filter: Filter) => unknown };

export type Report<N extends ReportName> = ReturnType<(typeof REPORTS)[N]>;

export function buildReport<N extends ReportName>(facts: Facts, name: N, filter: Filter): Report<N> {
  return REPORTS[name](facts, filter) as Report<N>;
}

export type Table = { name: string; header: string[]; rows: CsvValue[][] };

type Money = (header: string) => string;
const metrics = [
  "revenue",
  "netRevenue",
  "orders",
  "customers",
  "averageOrderValue",
  "repeatCustomerRate",
  "refundRate",
] as const;

// The CSV writers, one per report, from the report's object: an imported and a warehouse data set's copy of the same
// lines give the same bytes.
const TABLES: { [N in ReportName]: (r: Report<N>, m: Money, currency: string | null) => Table[] } = {
  overview: (r, m, currency) => [
    {
      name: "kpis",
      header: ["metric", "unit", "current", "previous"],
      rows: metrics.map((x) => [
        x,
        MONEY_KPIS.has(x) ? (currency ?? "") : "",
        r.kpis.current[x],
        r.kpis.previous?.[x] ?? null,
      ]),
    },
    ...TABLES.monthly(r, m, currency),
    ...TABLES.insights(r, m, currency),
  ],
  monthly: (r, m) => [
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
      rows: r.monthly.map((x) => [
        x.month,
        x.revenue,
        x.orders,
        x.customers,
        x.newCustomers,
        x.returningCustomers,
        x.days,
        x.daysInMonth,
      ]),
    },
  ],
  cohorts: (r, m) => {
    // the period the report covers, as its filter states it (the scope's days, clamped to the data)
    const scope = { fromDay: dayNumber(r.filter.from), toDay: dayNumber(r.filter.to) };
    const width = r.cohorts[0]?.active.length ?? 0;
    const ks = Array.from({ length: width }, (_, k) => `m${k}`);
    // issue 14, as the heatmap marks them: a cohort acquired in a partial month, and each cohort's last column (the
    // period's last month) when that month is not yet complete
    const mark = (c: Coverage) => (c.partial ? partialLabel(c) : "full");
    const marks = (i: number) => [
      mark(monthCoverage(scope, monthOf(scope.fromDay) + i)),
      mark(monthCoverage(scope, monthOf(scope.toDay))),
    ];
    const partial = ["cohort_month_coverage", "last_column_coverage"];
    // a later cohort has fewer months: its row is padded with empty cells, so that the coverage columns stay under
    // their headers (the CSV and the CLI's table had them under m-columns)
    const cells = <T>(values: T[]) => [...values, ...new Array<null>(width - values.length).fill(null)];
    return [
      {
        name: "cohorts-active",
        header: ["cohort", "size", ...ks, ...partial],
        rows: r.cohorts.map((c, i) => [c.month, c.size, ...cells(c.active), ...marks(i)]),
      },
      {
        name: "cohorts-revenue",
        header: ["cohort", "size", ...ks.map(m), ...partial],
        rows: r.cohorts.map((c, i) => [c.month, c.size, ...cells(c.revenue), ...marks(i)]),
      },
      {
        name: "second-purchase",
        header: ["days", "share_bought_again", "customers_observed"],
        rows: r.secondPurchase.curve.map((c) => [c.days, c.share, c.observed]),
      },
    ];
  },
  countries: (r, m) => [
    {
      name: "countries",
      header: ["country", m("revenue"), "share", "customers", "orders", m("average_order_value")],
      rows: r.countries.map((c) => [c.country, c.revenue, c.share, c.customers, c.orders, c.averageOrderValue]),
    },
  ],
  products: (r, m) => [
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
      rows: r.products.map((p) => [
        p.rank,
        p.stockCode,
        p.description,
        p.revenue,
        p.sales,
        p.returns,
        p.quantity,
        p.orders,
        p.share,
        p.cumulativeShare,
      ]),
    },
    {
      name: "most-returned",
      header: ["stock_code", "description", m("returned_value"), "returned_quantity"],
      rows: r.mostReturned.map((p) => [p.stockCode, p.description, p.returnedValue, p.returnedQuantity]),
    },
  ],
  seasonality: (r, m) => [
    {
      name: "months",
      header: ["month", m("revenue"), "orders", "days_covered", "days_in_month"],
      rows: r.months.map((x) => [x.month, x.revenue, x.orders, x.days, x.daysInMonth]),
    },
    {
      name: "weekday-hour",
      header: ["weekday", ...Array.from({ length: 24 }, (_, h) => `h${h}`)],
      rows: r.weekdayHour.map((row, d) => [WEEKDAYS[d], ...row]),
    },
  ],
  insights: (r) => [{ name: "insights", header: ["insight", "text"], rows: r.insights.map((i) => [i.key, i.text]) }],
};

/** The tables of a report, as its CSV downloads and `cli report` give them; money columns name the currency (issue 14). */
export function reportTables<N extends ReportName>(name: N, report: Report<N>, currency: string | null): Table[] {
  return TABLES[name](report, (header) => moneyHeader(header, currency), currency);
}
