import { performance } from "node:perf_hooks";
import type { Db } from "~/db/db.server";
import { nearest, standardise, sweepK, type Clustering, type Sweep } from "./kmeans";
import type { CustomerFacts } from "~/types/import";
import { sweepKParallel } from "./sweep.server";
import { nameClusters } from "./naming";
import { calendarDays, netSpend, percentile, personaFeatures, scoreCustomers, type RfmInput } from "./rfm";
import { K_RANGE, PERSONA_RESTARTS, PERSONA_SEED } from "./settings";
import {
  customerRfmInputs,
  personaCentroids,
  replaceSegments,
  rfmFeatures,
  segmentRunRow,
  setPersonas,
} from "./store.server";
import { getDataset } from "~/db/datasets.server";
import { sortByCodePoint } from "~/lib/code-point-order";

// Derives a data set's RFM table and persona sweep with its import or update (app/derive), stored in the same
// transaction; pages only read the stored tables.

/** `net` = netSpend(revenue, returns) in thousandths: the monetary value stored and summed (issue 14). */
type CustomerRow = {
  customerId: string;
  lastPurchaseAt: string;
  orders: number;
  revenue: number;
  returns: number;
  net: number;
};

function median(values: number[]): number {
  return values.length ? percentile(Float64Array.from(values).sort(), 50) : 0;
}

/** The customer facts segments are scored from (the `customers` table's columns, or an import's facts in memory). */
export type SegmentCustomer = Omit<CustomerRow, "net">;

/** RFM and the persona sweep of a data set, computed and not yet stored (storeSegments writes them). */
export type DerivedSegments = { prepared: Prepared; sweep: Sweep | null; started: number };

/**
 * Derives RFM scores and personas from customer facts in memory, touching no table: an import or an update computes
 * them before it takes the write lock, and stores them inside its transaction (storeSegments). The sweep runs in
 * `threads` worker threads (sweepKParallel); this thread is free from its first await until the answer.
 */
export async function deriveSegments(
  customers: Iterable<CustomerFacts>,
  lastAt: string | null,
  threads = 2,
): Promise<DerivedSegments> {
  const started = performance.now();
  const sorted = sortByCodePoint(
    [...customers].map((c) => ({ ...c, lastPurchaseAt: c.lastAt })), // the customers table's last_purchase_at
    (c) => c.customerId, // the order `ORDER BY customer_id` gave
  );
  const prepared = prepareFrom(sorted, lastAt);
  const sweep =
    prepared.inputs.length > K_RANGE[0]
      ? await sweepKParallel(prepared.z, K_RANGE[0], K_RANGE[1], PERSONA_RESTARTS, PERSONA_SEED, undefined, threads)
      : null;
  return { prepared, sweep, started };
}

/** Computes and stores a data set's segments from its stored customers, on one thread (keepK: as storeSegments). */
export function computeSegments(
  db: Db,
  datasetId: number,
  keepK?: number | null,
): { customers: number; seconds: number } {
  const started = performance.now();
  const prepared = prepareSegments(db, datasetId);
  const sweep =
    prepared.inputs.length > K_RANGE[0]
      ? sweepK(prepared.z, K_RANGE[0], K_RANGE[1], PERSONA_RESTARTS, PERSONA_SEED)
      : null;
  return storeSegments(db, datasetId, { prepared, sweep, started }, keepK);
}

type Prepared = ReturnType<typeof scoreInputs>;

function prepareSegments(db: Db, datasetId: number) {
  const dataset = getDataset(db, datasetId);
  if (!dataset) throw new Error(`No data set ${datasetId}`);
  return prepareFrom(customerRfmInputs(db, datasetId), dataset.lastAt);
}

function prepareFrom(customers: SegmentCustomer[], lastAt: string | null) {
  const rows: CustomerRow[] = customers.map((c) => ({
    customerId: c.customerId,
    lastPurchaseAt: c.lastPurchaseAt,
    orders: c.orders,
    revenue: c.revenue,
    returns: c.returns,
    net: netSpend(c.revenue, c.returns),
  }));
  const snapshot = (lastAt ?? "1970-01-01").slice(0, 10);
  const inputs: RfmInput[] = rows.map((c) => ({
    customerId: c.customerId,
    recency: calendarDays(c.lastPurchaseAt, snapshot),
    frequency: c.orders,
    monetary: c.net / 1000,
  }));
  return scoreInputs(snapshot, inputs, rows);
}

function scoreInputs(snapshot: string, inputs: RfmInput[], rows: { net: number }[]) {
  const { rows: scored, cuts } = scoreCustomers(inputs);
  const { z } = inputs.length ? standardise(inputs.map(personaFeatures)) : { z: [] as number[][] };
  return { rows, snapshot, inputs, scored, cuts, z };
}

/** A warehouse data set's segments, computed and not yet stored, with the persona sample stated on the page. */
export type DerivedWarehouseSegments = { derived: DerivedSegments; personaSample: { customers: number; of: number } };

/**
 * Segments and personas of a warehouse data set (issue 17), from its customers' RFM as of the snapshot day computed
 * in PostgreSQL (segments/warehouse-sql.ts), touching no table: the same scoring as an import's; k-means on the seeded
 * sample `sample` (customer ids; null: everyone), then every customer labelled by the nearest centroid. Stored by
 * storeSegments inside the connection's or re-read's one transaction.
 */
export async function deriveSegmentsFromInputs(
  snapshot: string,
  inputs: RfmInput[],
  sample: Set<string> | null,
): Promise<DerivedWarehouseSegments> {
  const started = performance.now();
  const prepared = scoreInputs(
    snapshot,
    inputs,
    inputs.map((c) => ({ net: Math.round(c.monetary * 1000) })),
  );
  const points = sample ? prepared.z.filter((_, i) => sample.has(inputs[i].customerId)) : prepared.z;
  let sweep =
    points.length > K_RANGE[0]
      ? await sweepKParallel(points, K_RANGE[0], K_RANGE[1], PERSONA_RESTARTS, PERSONA_SEED)
      : null;
  if (sweep && sample)
    sweep = {
      ...sweep,
      clusterings: sweep.clusterings.map((c) => ({ ...c, labels: prepared.z.map((p) => nearest(p, c.centroids)) })),
    };
  return { derived: { prepared, sweep, started }, personaSample: { customers: points.length, of: inputs.length } };
}

/**
 * Writes derived segments in place of the data set's stored ones (in the caller's transaction, when there is one).
 * `keepK`: the user's chosen k, kept when the sweep has it (customers labelled by the nearest centroid, as
 * choosePersonaK does); otherwise the proposed k.
 */
export function storeSegments(
  db: Db,
  datasetId: number,
  { prepared: { rows, snapshot, inputs, scored, cuts, z }, sweep, started }: DerivedSegments,
  keepK?: number | null,
  personaSample?: { customers: number; of: number },
) {
  const kept = keepK ? (sweep?.clusterings.find((c) => c.k === keepK) ?? null) : null;
  const chosen = kept ?? sweep?.clusterings.find((c) => c.k === sweep.bestK) ?? null;
  const labels = kept && kept.k !== sweep?.bestK ? z.map((p) => nearest(p, kept.centroids)) : chosen?.labels;
  replaceSegments(db, datasetId, {
    rfm: scored.map((s, i) => ({
      customerId: s.customerId,
      recency: s.recency,
      frequency: s.frequency,
      monetary: rows[i].net,
      r: s.r,
      f: s.f,
      m: s.m,
      segment: s.segment,
      persona: labels ? labels[i] : 0,
      z1: z[i]?.[0] ?? 0,
      z2: z[i]?.[1] ?? 0,
      z3: z[i]?.[2] ?? 0,
    })),
    runs: sweep?.rows ?? [],
    personas: (sweep?.clusterings ?? []).flatMap((c) =>
      profile(c, inputs, rows).map(({ centroid, ...p }) => ({ k: c.k, ...p, centroid: JSON.stringify(centroid) })),
    ),
    run: {
      snapshotDate: snapshot,
      cuts: JSON.stringify({ ...cuts, monetaryBasis: MONETARY_BASIS, ...(personaSample ? { personaSample } : {}) }),
      bestK: sweep?.bestK ?? 0,
      chosenK: chosen?.k ?? 0,
      silhouetteSample: sweep?.silhouetteSample ?? null,
      seconds: (performance.now() - started) / 1000,
      computedAt: new Date().toISOString(),
    },
  });
  return { customers: rows.length, seconds: (performance.now() - started) / 1000 };
}

function profile(c: Clustering, inputs: RfmInput[], rows: { net: number }[]) {
  const names = nameClusters(c.centroids);
  return c.centroids.map((centroid, cluster) => {
    const members = c.labels.flatMap((l, i) => (l === cluster ? [i] : []));
    return {
      cluster,
      name: names[cluster],
      centroid, // full precision: choosePersonaK relabels by nearest centroid and must reproduce the run's labels
      customers: members.length,
      revenue: members.reduce((s, i) => s + rows[i].net, 0), // net of returns, like the segments' revenue
      medianRecency: median(members.map((i) => inputs[i].recency)),
      medianFrequency: median(members.map((i) => inputs[i].frequency)),
      medianMonetary: Math.round(median(members.map((i) => inputs[i].monetary)) * 100) / 100,
    };
  });
}

/** Stores the user's choice of k and relabels every customer with that clustering (nearest stored centroid). */
export function choosePersonaK(db: Db, datasetId: number, k: number): void {
  const centroids = personaCentroids(db, datasetId, k);
  if (centroids.length !== k) throw new Error(`No persona run for k = ${k}`);
  const labels = rfmFeatures(db, datasetId).map(([customerId, a, b, c]) => ({
    customerId,
    persona: nearest([a, b, c], centroids),
  }));
  setPersonas(db, datasetId, k, labels);
}

/** What the stored monetary value means (issue 14); a run stored before it (gross sales) is derived again
 * at start (app/derive deriveMissing). */
const MONETARY_BASIS = "net of returns";

/** Whether the data set's segments are stored with today's definitions (else deriveMissing derives them at start). */
export function hasSegments(db: Db, datasetId: number): boolean {
  const run = segmentRunRow(db, datasetId);
  return run !== null && (JSON.parse(run.cuts) as { monetaryBasis?: string }).monetaryBasis === MONETARY_BASIS;
}
