import { averageRetention, cohorts, secondPurchase, type CohortRow, type SecondPurchase } from "./cohorts";
import { SALE, inScope, monthCoverage, monthOf, partialLabel, type Facts, type Scope } from "./facts";
import { kpisFor, type Kpis } from "./kpis";
import { share } from "./money";
import { formatMoney } from "~/lib/currency";
import { monthly, type MonthRow } from "./monthly";
import { countries, mostReturned, type CountryRow, type ReturnedProduct } from "./revenue";
import { monthName } from "~/lib/months";
import { percentText } from "~/lib/numbers";

/** A month-to-month fall in average retention worth a sentence: 2 percentage points (a 0.2-point dip is noise, issue 14). */
const MATERIAL_RETENTION_DROP = 0.02;

export type Insight = { key: string; text: string; link: string; values: Record<string, number | string | null> };

const pct = (x: number | null) => (x === null ? "n/a" : percentText(x, 1));
const num = (x: number) => x.toLocaleString("en-GB");

/** Share of customer revenue from the top 20% of customers by revenue (ceil(n/5) customers). */
export function revenueConcentration(
  facts: Facts,
  scope: Scope,
): { customers: number; top: number; share: number | null } {
  const o = facts.orders;
  const spend = new Map<number, number>();
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (o.kind[i] === SALE && c >= 0 && inScope(facts, scope, i)) spend.set(c, (spend.get(c) ?? 0) + o.amount[i]);
  }
  const sorted = [...spend.values()].sort((a, b) => b - a);
  const top = Math.ceil(sorted.length / 5);
  const total = sorted.reduce((s, x) => s + x, 0);
  return {
    customers: sorted.length,
    top,
    share: share(
      sorted.slice(0, top).reduce((s, x) => s + x, 0),
      total,
    ),
  };
}

/** The figures the insights are written from: the same whichever engine computed them (issue 17: a warehouse). */
export type InsightInputs = {
  currency: string | null;
  scope: Scope;
  concentration: { customers: number; top: number; share: number | null };
  months: MonthRow[];
  cohorts: CohortRow[];
  kpis: Kpis;
  /** secondPurchase over 90 days. */
  second: SecondPurchase;
  markets: CountryRow[];
  /** The 3 most returned products. */
  returned: ReturnedProduct[];
};

/** The key insights of the overview, each a sentence with its numbers, computed from the data in scope. */
export function insights(facts: Facts, scope: Scope): Insight[] {
  return insightsFrom({
    currency: facts.currency,
    scope,
    concentration: revenueConcentration(facts, scope),
    months: monthly(facts, scope),
    cohorts: cohorts(facts, scope),
    kpis: kpisFor(facts, scope),
    second: secondPurchase(facts, scope, 90),
    markets: countries(facts, scope),
    returned: mostReturned(facts, scope, 3),
  });
}

/** The insights' sentences from their figures. */
export function insightsFrom(x: InsightInputs): Insight[] {
  const { scope } = x;
  const out: Insight[] = [];
  const amount = (v: number) => formatMoney(v, x.currency);
  const conc = x.concentration;
  if (conc.customers > 0) {
    out.push({
      key: "concentration",
      link: "/revenue",
      values: { share: conc.share, topCustomers: conc.top, customers: conc.customers },
      text: `The top 20% of customers (${num(conc.top)} of ${num(conc.customers)}) bring ${pct(conc.share)} of customer revenue.`,
    });
  }

  // partial months (issue 14: the data or the filter covers them only in part) are left out of month comparisons
  const months = x.months;
  const full = months.filter((m) => !m.partial);
  if (full.length >= 2) {
    const peak = full.reduce((a, b) => (b.revenue > a.revenue ? b : a));
    const weak = full.reduce((a, b) => (b.revenue < a.revenue ? b : a));
    const left = months.filter((m) => m.partial);
    out.push({
      key: "seasonality",
      link: "/revenue",
      values: { peak: peak.month, peakRevenue: peak.revenue, weakest: weak.month, weakestRevenue: weak.revenue },
      text:
        `${monthName(peak.month)} is the peak month (${amount(peak.revenue)} revenue, ${num(peak.orders)} ` +
        `orders); ${monthName(weak.month)} is the weakest (${amount(weak.revenue)})` +
        (left.length
          ? `, counting only months the period covers in full (${left.map((m) => `${monthName(m.month)} is ${partialLabel(m)}`).join("; ")}).`
          : "."),
    });
  }

  // when the period ends mid-month, every cohort's last column is a partial month: leave it out of the comparison
  const endsMidMonth = monthCoverage(scope, monthOf(scope.toDay)).partial;
  const rows = x.cohorts.map((r) =>
    endsMidMonth ? { ...r, active: r.active.slice(0, -1), revenue: r.revenue.slice(0, -1) } : r,
  );
  const avg = averageRetention(rows);
  if (avg.length > 1 && avg[1] !== null) {
    let worst = -1;
    let drop = -Infinity;
    for (let k = 1; k + 1 < avg.length; k++) {
      if (avg[k] !== null && avg[k + 1] !== null && avg[k]! - avg[k + 1]! > drop) {
        drop = avg[k]! - avg[k + 1]!;
        worst = k;
      }
    }
    const material = worst > 0 && drop >= MATERIAL_RETENTION_DROP;
    out.push({
      key: "retention",
      link: "/cohorts",
      values: { month1: avg[1], steepestFrom: material ? worst : null, steepestDrop: material ? drop : null },
      text:
        `Month-1 retention averages ${pct(avg[1])} across cohorts (weighted by cohort size${endsMidMonth ? ", complete months only" : ""})` +
        (material
          ? `; after that, retention falls most from month ${worst} to month ${worst + 1} (${pct(avg[worst])} → ${pct(avg[worst + 1])}).`
          : worst > 0
            ? `; after that, it changes by less than ${MATERIAL_RETENTION_DROP * 100} points from one month to the next.`
            : "."),
    });
  }

  const k = x.kpis;
  if (k.customers > 0) {
    out.push({
      key: "repeat",
      link: "/cohorts",
      values: { repeatCustomerRate: k.repeatCustomerRate, customers: k.customers },
      text: `${pct(k.repeatCustomerRate)} of the ${num(k.customers)} customers ordered more than once in the period.`,
    });
  }
  const second = x.second;
  const d30 = second.callouts.find((c) => c.days === 30)?.share ?? null;
  if (second.newCustomers > 0 && d30 !== null) {
    out.push({
      key: "second-purchase",
      link: "/cohorts",
      values: { day30: d30, newCustomers: second.newCustomers },
      text: `${pct(d30)} of new customers buy again within 30 days of their first order: the window for a lifecycle nudge.`,
    });
  }

  const markets = x.markets;
  if (markets.length > 1) {
    const [home, next] = markets;
    out.push({
      key: "market",
      link: "/revenue",
      values: { home: home.country, market: next.country, revenue: next.revenue, share: next.share },
      text:
        `The largest market outside ${home.country} is ${next.country}: ${amount(next.revenue)} ` +
        `(${pct(next.share)} of revenue, ${num(next.customers)} customer${next.customers === 1 ? "" : "s"}).`,
    });
  }

  if (k.revenue > 0) {
    const returned = x.returned;
    out.push({
      key: "refunds",
      link: "/revenue",
      values: { refundRate: k.refundRate, topReturned: returned[0]?.stockCode ?? null },
      text:
        `Cancellations amount to ${pct(k.refundRate)} of sales value` +
        (returned.length
          ? `; the most returned products are ${returned.map((r) => `${r.description ?? r.stockCode} (${amount(r.returnedValue)})`).join(", ")}.`
          : "."),
    });
  }
  return out;
}
