import type { CustomerOrders, Facts } from "~/analytics/facts";
import { RETURN, SALE, dayNumber, dayText } from "~/analytics/facts";
import type { AudienceDefinition } from "~/segments/audiences.server";
import { nearest, standardise } from "~/segments/kmeans";
import { netSpend, personaFeatures, scoreCustomers, type RfmInput, type SegmentName } from "~/segments/rfm";
import { baselinesFrom, type Baselines, type Outcome } from "./stats/baselines";
import { audienceConditions, meetsConditions, type MemberFacts } from "~/segments/audience-rule";

// Back-test of an audience (PRODUCT.md §4): membership as of a reference day T using only the data up to T (RFM and
// personas recomputed as of T), outcome over the W days after T. Pure: Facts and stored centroids in, numbers out.

export type AsOfCustomer = MemberFacts & { index: number; customerId: string; z: number[] };

// rfmAsOf is a pass over the orders and a sort of the customers: kept per loaded data set (the facts object) and day,
// since every experiment of the same window asks for the same T (the list page previews each one).
const asOfCache = new WeakMap<CustomerOrders, Map<number, AsOfCustomer[]>>();
const AS_OF_KEEP = 8;

/** RFM (and persona features) of every customer with a sale on or before day T, as of T: spend net of returns up to T. */
export function rfmAsOf(facts: CustomerOrders, t: number): AsOfCustomer[] {
  let byDay = asOfCache.get(facts);
  if (!byDay) asOfCache.set(facts, (byDay = new Map()));
  let hit = byDay.get(t);
  if (!hit) {
    hit = computeRfmAsOf(facts, t);
    byDay.set(t, hit);
    while (byDay.size > AS_OF_KEEP) byDay.delete(byDay.keys().next().value!);
  }
  return hit;
}

function computeRfmAsOf(facts: CustomerOrders, t: number): AsOfCustomer[] {
  const o = facts.orders;
  const last = new Map<number, number>();
  const count = new Map<number, number>();
  const spend = new Map<number, number>();
  const returned = new Map<number, number>();
  for (let i = 0; i < o.n; i++) {
    const c = o.customer[i];
    if (c < 0 || o.day[i] > t) continue;
    if (o.kind[i] === RETURN) returned.set(c, (returned.get(c) ?? 0) + o.amount[i]);
    if (o.kind[i] !== SALE) continue;
    last.set(c, Math.max(last.get(c) ?? -Infinity, o.day[i]));
    count.set(c, (count.get(c) ?? 0) + 1);
    spend.set(c, (spend.get(c) ?? 0) + o.amount[i]);
  }
  const ids = [...last.keys()].sort((a, b) => (facts.customers.ids[a] < facts.customers.ids[b] ? -1 : 1));
  return scoreAsOf(
    ids.map((c) => {
      const country = facts.customers.country[c];
      return {
        index: c,
        customerId: facts.customers.ids[c],
        country: country >= 0 ? facts.countries[country] : null,
        recency: t - last.get(c)!,
        frequency: count.get(c)!,
        monetary: netSpend(spend.get(c)!, returned.get(c) ?? 0) / 1000,
      };
    }),
  );
}

/** A customer's RFM inputs as of T (monetary: net spend in currency units), with its country and position. */
export type AsOfInput = { index: number; customerId: string; country: string | null } & Omit<RfmInput, "customerId">;

/**
 * Scores customers' RFM inputs as of T (quintiles, segments, standardised persona features): the second half of
 * rfmAsOf, shared with a warehouse data set, whose inputs come from PostgreSQL (segments/warehouse-sql.ts).
 */
export function scoreAsOf(inputs: AsOfInput[]): AsOfCustomer[] {
  const { rows } = scoreCustomers(inputs);
  const { z } = inputs.length ? standardise(inputs.map(personaFeatures)) : { z: [] };
  return rows.map((r, i) => ({
    index: inputs[i].index,
    customerId: r.customerId,
    country: inputs[i].country,
    recency: r.recency,
    frequency: r.frequency,
    monetary: r.monetary,
    r: r.r,
    f: r.f,
    m: r.m,
    segment: r.segment,
    z: z[i],
  }));
}

/**
 * What a back-test, a start and a measurement read of a data set's history (issue 17): an imported data set's
 * in-memory facts, or a warehouse data set's SQL builders (experiments/history.server.ts). Customers by id.
 */
export type History = {
  /** The last day with a kept transaction. */
  lastDay: number;
  /** rfmAsOf: every customer with a sale on or before T, scored as of T, sorted by id. */
  asOf: (t: number) => AsOfCustomer[];
  /** outcomesAfter for these customers (a customer the data never saw counts as zeros). */
  outcomes: (customerIds: string[], t: number, windowDays: number, through?: number) => WindowOutcome[];
};

const ZERO: WindowOutcome = { converted: false, revenue: 0, orders: 0, refunded: 0, preSpend: 0 };

const histories = new WeakMap<Facts, History>();

/** The History of an imported data set: rfmAsOf and outcomesAfter over its facts. */
export function factsHistory(facts: Facts): History {
  let h = histories.get(facts);
  if (!h) {
    let index: Map<string, number> | null = null;
    h = {
      lastDay: facts.lastDay,
      asOf: (t) => rfmAsOf(facts, t),
      outcomes: (ids, t, windowDays, through) => {
        index ??= new Map(facts.customers.ids.map((c, i) => [c, i]));
        const at = ids.map((id) => index!.get(id) ?? -1);
        const known = at.filter((i) => i >= 0);
        const measured = outcomesAfter(facts, known, t, windowDays, through);
        let k = 0;
        return at.map((i) => (i >= 0 ? measured[k++] : ZERO));
      },
    };
    histories.set(facts, h);
  }
  return h;
}

/** Whether an as-of-T customer belongs to an audience definition (personas by nearest stored centroid of that k). */
export function memberOf(c: AsOfCustomer, definition: AudienceDefinition, centroids: number[][] | null): boolean {
  if (definition.kind === "persona") return centroids !== null && nearest(c.z, centroids) === definition.cluster;
  return meetsConditions(c, audienceConditions(definition));
}

/** A customer's outcome over the window, with the CUPED covariate: sales over the W days up to and including T. */
export type WindowOutcome = Outcome & { preSpend: number };

/**
 * The outcome definitions of PRODUCT.md §4, in one place for the back-test, the rehearsal and measured results
 * (issue 13): over days T+1 … min(T+W, through), converted = at least one sales line, revenue = the sum of sales
 * amounts, orders = distinct sales invoices, refunded = the sum of |cancellation amounts|; preSpend = sales over days
 * T−W+1 … T. A customer with no line counts as zeros. Money summed exactly in thousandths, then in currency units.
 */
export function outcomesAfter(
  facts: Facts,
  customers: number[],
  t: number,
  windowDays: number,
  through = t + windowDays,
): WindowOutcome[] {
  const o = facts.orders;
  const end = Math.min(t + windowDays, through);
  const from = t - windowDays; // the pre-period is the W days after `from`
  type Sums = { converted: boolean; revenue: number; orders: number; refunded: number; pre: number };
  const at: (Sums | undefined)[] = new Array(facts.customers.ids.length);
  for (const c of customers) at[c] = { converted: false, revenue: 0, orders: 0, refunded: 0, pre: 0 };
  for (let i = 0; i < o.n; i++) {
    const day = o.day[i];
    if (day <= from || day > end || o.customer[i] < 0) continue;
    const out = at[o.customer[i]];
    if (!out) continue;
    if (day <= t) {
      if (o.kind[i] === SALE) out.pre += o.amount[i];
    } else if (o.kind[i] === SALE) {
      out.converted = true;
      out.orders++;
      out.revenue += o.amount[i];
    } else if (o.kind[i] === RETURN) out.refunded += -o.amount[i];
  }
  return customers.map((c) => {
    const s = at[c]!;
    return {
      converted: s.converted,
      revenue: s.revenue / 1000,
      orders: s.orders,
      refunded: s.refunded / 1000,
      preSpend: s.pre / 1000,
    };
  });
}

export type Backtest = {
  referenceDate: string;
  windowStart: string;
  windowEnd: string;
  windowDays: number;
  members: number;
  baselines: Baselines;
};

/** Default T: the data set's last day minus W, so that the W-day window ends on the last day. */
export function defaultReferenceDay(data: { lastDay: number }, windowDays: number): number {
  return data.lastDay - windowDays;
}

export function backtest(
  history: History,
  definition: AudienceDefinition,
  windowDays: number,
  referenceDate: string | undefined,
  centroids: number[][] | null,
): Backtest {
  const t = referenceDate ? dayNumber(referenceDate) : defaultReferenceDay(history, windowDays);
  const members = history.asOf(t).filter((c) => memberOf(c, definition, centroids));
  const outcomes = history.outcomes(
    members.map((m) => m.customerId),
    t,
    windowDays,
  );
  return {
    referenceDate: dayText(t),
    windowStart: dayText(t + 1),
    windowEnd: dayText(t + windowDays),
    windowDays,
    members: members.length,
    baselines: baselinesFrom(outcomes),
  };
}
