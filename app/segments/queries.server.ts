import type { Db } from "~/db/db.server";
import { milliToMoney, round2 } from "~/ingest/money";
import { moneyHeader } from "~/lib/currency";
import { memo } from "~/analytics/memo.server";
import { rfmVersion } from "~/db/version.server";
import { MEMBER_SORTS, type MemberSort } from "./settings";
import { fmScore, percentile, SEGMENT_ACTIONS, SEGMENTS, segmentSlug, type SegmentName } from "./rfm";
import type { SQL } from "drizzle-orm";
import { getDataset } from "~/db/datasets.server";
import type { Condition } from "./audience-rule";
import type { CustomerOrderRow } from "./warehouse-sql";
import {
  conditionsWhere,
  customerOrders,
  customerTotals,
  customerWhere,
  memberCount,
  memberRows,
  personaLabelWhere,
  personaRows,
  personaRunRows,
  rfmRunRow,
  rfmSample,
  rfmScores,
  searchWhere,
  segmentRunRow,
  type MemberScores,
  type RfmScores,
} from "./store.server";

// Reads of the stored RFM and persona tables (computed once per import by compute.server.ts).

export { segmentFromSlug, segmentSlug } from "./rfm";

export type SegmentRun = {
  snapshotDate: string;
  cuts: {
    recency: number[];
    frequency: number[];
    monetary: number[];
    /** A warehouse data set's k-means sample (issue 17): how many customers it ran on, of how many. */
    personaSample?: { customers: number; of: number };
  };
  bestK: number;
  chosenK: number;
  silhouetteSample: number | null;
  seconds: number;
};

export function segmentRun(db: Db, datasetId: number): SegmentRun {
  const row = segmentRunRow(db, datasetId)!; // stored with the import (app/derive)
  return {
    ...rfmOf(row),
    bestK: row.bestK,
    chosenK: row.chosenK,
    silhouetteSample: row.silhouetteSample,
    seconds: row.seconds,
  };
}

/** The run's RFM part alone (the /segments page): it does not read the chosen k, so choosing k leaves it cached. */
export function rfmRun(db: Db, datasetId: number): Pick<SegmentRun, "snapshotDate" | "cuts"> {
  return rfmOf(rfmRunRow(db, datasetId)!);
}

const rfmOf = (row: { snapshotDate: string; cuts: string }) => ({
  snapshotDate: row.snapshotDate,
  cuts: JSON.parse(row.cuts) as SegmentRun["cuts"],
});

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const med = (xs: number[]) => (xs.length ? percentile(Float64Array.from(xs).sort(), 50) : 0);

export type SegmentSummary = {
  name: SegmentName;
  slug: string;
  action: string;
  customers: number;
  customerShare: number;
  revenue: number;
  revenueShare: number;
  recency: { mean: number; median: number };
  frequency: { mean: number; median: number };
  monetary: { mean: number; median: number };
};

/** Per segment: size and share, revenue share, mean and median recency (days), frequency (orders), monetary. */
export function segmentSummaries(db: Db, datasetId: number): SegmentSummaries {
  // stored once per import: computed once per version (RFM only: choosing k changes none of these figures)
  return memo(`segment-summaries:${rfmVersion(db, datasetId)}`, () => summarise(rfmScores(db, datasetId)));
}

type SegmentSummaries = {
  segments: SegmentSummary[];
  customers: number;
  revenue: number;
  grid: number[][];
  scores: Record<"R" | "F" | "M", Record<string, number>>;
};

function summarise(all: RfmScores[]): SegmentSummaries {
  const totalRevenue = all.reduce((s, m) => s + m.monetary, 0);
  const grid = Array.from({ length: 5 }, () => new Array<number>(5).fill(0)); // grid[5 − R][FM − 1]
  const scores = { R: {} as Record<string, number>, F: {} as Record<string, number>, M: {} as Record<string, number> };
  for (const k of ["1", "2", "3", "4", "5"]) scores.R[k] = scores.F[k] = scores.M[k] = 0;
  for (const m of all) {
    grid[5 - m.r][fmScore(m.f, m.m) - 1]++;
    scores.R[m.r]++;
    scores.F[m.f]++;
    scores.M[m.m]++;
  }
  const bySegment = new Map<string, RfmScores[]>(SEGMENTS.map((name) => [name, []]));
  for (const m of all) bySegment.get(m.segment)?.push(m);
  const segments = SEGMENTS.map((name) => {
    const rows = bySegment.get(name)!;
    const revenue = rows.reduce((s, m) => s + m.monetary, 0);
    const monetary = rows.map((m) => m.monetary / 1000);
    return {
      name,
      slug: segmentSlug(name),
      action: SEGMENT_ACTIONS[name],
      customers: rows.length,
      customerShare: all.length ? rows.length / all.length : 0,
      revenue: milliToMoney(revenue),
      revenueShare: totalRevenue ? revenue / totalRevenue : 0,
      recency: { mean: round2(mean(rows.map((m) => m.recency))), median: med(rows.map((m) => m.recency)) },
      frequency: { mean: round2(mean(rows.map((m) => m.frequency))), median: med(rows.map((m) => m.frequency)) },
      monetary: { mean: round2(mean(monetary)), median: round2(med(monetary)) },
    };
  });
  return { segments, customers: all.length, revenue: milliToMoney(totalRevenue), grid, scores };
}

export type PersonaCluster = {
  k: number;
  cluster: number;
  name: string;
  centroid: number[];
  customers: number;
  revenue: number;
  revenueShare: number;
  medianRecency: number;
  medianFrequency: number;
  medianMonetary: number;
};

export function personaSweep(db: Db, datasetId: number): { k: number; inertia: number; silhouette: number }[] {
  return personaRunRows(db, datasetId);
}

export function personaClusters(db: Db, datasetId: number, k: number): PersonaCluster[] {
  const rows = personaRows(db, datasetId, k);
  const total = rows.reduce((s, r) => s + r.revenue, 0);
  return rows.map((r) => ({
    k: r.k,
    cluster: r.cluster,
    name: r.name,
    centroid: JSON.parse(r.centroid),
    customers: r.customers,
    revenue: milliToMoney(r.revenue),
    revenueShare: total ? r.revenue / total : 0,
    medianRecency: r.medianRecency,
    medianFrequency: r.medianFrequency,
    medianMonetary: r.medianMonetary,
  }));
}

/** Up to `limit` customers (every n-th, in id order) for the persona scatter: recency, monetary and persona. */
export function personaScatter(
  db: Db,
  datasetId: number,
  limit = 1500,
): { recency: number; monetary: number; frequency: number; persona: number }[] {
  return rfmSample(db, datasetId, limit).map((p) => ({ ...p, monetary: milliToMoney(p.monetary) }));
}

export type MemberQuery = {
  segment?: SegmentName;
  persona?: number;
  cell?: { r: number; fm: number };
  search?: string;
  sort?: MemberSort;
  descending?: boolean;
  page?: number;
  pageSize?: number;
};

/** A members-table row as shown: monetary in currency units, and the RFM code ("545"). */
export type MemberRow = MemberScores & { code: string };

/** The members' conditions: a segment, a persona label, a grid cell (audience-rule.ts's conditions), a search. */
function memberWhere(q: MemberQuery): SQL[] {
  const conditions: Condition[] = [];
  if (q.segment) conditions.push({ field: "segment", oneOf: [q.segment] });
  if (q.cell) conditions.push({ field: "cell", r: q.cell.r, fm: q.cell.fm });
  return [
    ...conditionsWhere(conditions),
    ...(q.persona !== undefined ? [personaLabelWhere(q.persona)] : []),
    ...(q.search ? [searchWhere(q.search)] : []),
  ];
}

const toMemberRow = (r: MemberScores): MemberRow => ({
  ...r,
  monetary: milliToMoney(r.monetary),
  code: `${r.r}${r.f}${r.m}`,
});

/** Members of a segment, persona or grid cell, searched, sorted and paged in SQL. */
export function memberPage(
  db: Db,
  datasetId: number,
  q: MemberQuery,
): { rows: MemberRow[]; total: number; page: number; pageSize: number } {
  const where = memberWhere(q);
  const pageSize = Math.min(500, Math.max(1, q.pageSize ?? 25));
  const total = memberCount(db, datasetId, where);
  const page = Math.max(1, Math.min(q.page ?? 1, Math.max(1, Math.ceil(total / pageSize))));
  const sort = MEMBER_SORTS.find((s) => s === q.sort) ?? "monetary";
  const rows = memberRows(
    db,
    datasetId,
    where,
    { sort, descending: q.descending !== false },
    { limit: pageSize, offset: (page - 1) * pageSize },
  );
  return { rows: rows.map(toMemberRow), total, page, pageSize };
}

/** Every member (no paging), in customer id order: for rfm_customers.csv. */
export function allMembers(db: Db, datasetId: number, q: MemberQuery = {}): MemberRow[] {
  return exportAll(db, datasetId, q);
}

function exportAll(db: Db, datasetId: number, q: MemberQuery): MemberRow[] {
  return memberRows(db, datasetId, memberWhere(q)).map(toMemberRow);
}

/** rfm_customers.csv's header; Monetary (net of returns) names the data set's currency (issue 14). */
export function rfmCsvHeader(db: Db, datasetId: number): string[] {
  const currency = getDataset(db, datasetId)?.currency;
  return [
    "CustomerID",
    "Recency",
    "Frequency",
    moneyHeader("Monetary", currency),
    "R",
    "F",
    "M",
    "RFM",
    "Segment",
    "Persona",
  ];
}
export const rfmCsvRow = (m: MemberRow) => [
  m.customerId,
  m.recency,
  m.frequency,
  m.monetary,
  m.r,
  m.f,
  m.m,
  m.code,
  m.segment,
  m.persona,
];

/** Histogram bins and top countries of a set of members, for the segment detail page. */
export function memberProfile(db: Db, datasetId: number, q: MemberQuery) {
  const rows = exportAll(db, datasetId, q);
  const countries = new Map<string, number>();
  for (const r of rows) countries.set(r.country ?? "(unknown)", (countries.get(r.country ?? "(unknown)") ?? 0) + 1);
  return {
    recency: histogram(
      rows.map((r) => r.recency),
      [0, 7, 14, 30, 60, 90, 180, 270, 365, Infinity],
      "days",
    ),
    frequency: histogram(
      rows.map((r) => r.frequency),
      [1, 2, 3, 4, 6, 10, 20, 50, Infinity],
      "orders",
    ),
    monetary: histogram(
      rows.map((r) => r.monetary),
      [0, 100, 250, 500, 1000, 2500, 5000, 10000, Infinity],
      "",
    ),
    countries: [...countries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([country, customers]) => ({ country, customers })),
  };
}

function histogram(values: number[], edges: number[], unit: string): { bin: string; customers: number }[] {
  return edges.slice(0, -1).map((lo, i) => {
    const hi = edges[i + 1];
    const top = hi - (unit ? 1 : 0); // whole days and orders: 7–13 days; money: 100–250
    const label =
      hi === Infinity
        ? `${lo.toLocaleString("en-GB")}+`
        : top === lo
          ? `${lo}`
          : `${lo.toLocaleString("en-GB")}–${top.toLocaleString("en-GB")}`;
    return { bin: unit ? `${label} ${unit}` : label, customers: values.filter((v) => v >= lo && v < hi).length };
  });
}

export type CustomerDetail = {
  /** monetary is net of returns (netSpend of sales and returns, issue 14); sales is gross, returns their absolute value. */
  rfm: MemberRow & {
    firstPurchaseAt: string;
    lastPurchaseAt: string;
    cohortMonth: string;
    sales: number;
    returns: number;
    returnOrders: number;
  };
  orders: CustomerOrderRow[];
};

/**
 * A customer's page: stored RFM and totals, and their orders in thousandths (`orders`: a warehouse data set's, read
 * from its PostgreSQL by warehouse.server.ts; else the stored ones).
 */
export function customerDetail(
  db: Db,
  datasetId: number,
  customerId: string,
  orders?: CustomerOrderRow[],
): CustomerDetail | null {
  const member = memberRows(db, datasetId, [customerWhere(customerId)])[0];
  const totals = customerTotals(db, datasetId, customerId);
  if (!member || !totals) return null;
  const row = { ...member, ...totals };
  return {
    rfm: {
      ...row,
      monetary: milliToMoney(row.monetary),
      sales: milliToMoney(row.sales),
      returns: milliToMoney(row.returns),
      code: `${row.r}${row.f}${row.m}`,
    },
    orders: (orders ?? customerOrders(db, datasetId, customerId)).map((o) => ({
      ...o,
      amount: milliToMoney(o.amount),
    })),
  };
}
