import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, sql, type SQL } from "drizzle-orm";
import { inTransaction, type Db } from "~/db/db.server";
import { audiences, customerRfm, customers, orders, personaRuns, personas, segmentRuns } from "~/db/schema";
import type { Condition } from "./audience-rule";
import { fmSums } from "./rfm";
import type { MemberSort } from "./settings";

// The segments stage's tables (customer_rfm, persona_runs, personas, segment_runs, audiences), read and written only
// here, with drizzle's query builder (portable, typed), and the reads of the customers and orders tables that segments
// make. The bulk writes of customer_rfm alone are hand-written SQL, for speed (docs/decisions/0015-raw-sql-where.md).

// ---- the persona run and the chosen k ----

/** The stored centroids (standardised log RFM) of the k-cluster run, in cluster order; empty when k was not swept. */
export function personaCentroids(db: Db, datasetId: number, k: number): number[][] {
  return db
    .select({ centroid: personas.centroid })
    .from(personas)
    .where(and(eq(personas.datasetId, datasetId), eq(personas.k, k)))
    .orderBy(asc(personas.cluster))
    .all()
    .map((row) => JSON.parse(row.centroid) as number[]);
}

/** The k whose clusters are the data set's personas (the user's choice, else the proposed one); null before any run. */
export function chosenK(db: Db, datasetId: number): number | null {
  return (
    db.select({ k: segmentRuns.chosenK }).from(segmentRuns).where(eq(segmentRuns.datasetId, datasetId)).get()?.k ?? null
  );
}

/** The names of the k-cluster run's personas, in cluster order (the audience picker's choices). */
export function personaNames(
  db: Db,
  datasetId: number,
  k: number | null,
): { k: number; cluster: number; name: string }[] {
  if (k === null) return [];
  return db
    .select({ k: personas.k, cluster: personas.cluster, name: personas.name })
    .from(personas)
    .where(and(eq(personas.datasetId, datasetId), eq(personas.k, k)))
    .orderBy(asc(personas.cluster))
    .all();
}

export type SegmentRunRow = typeof segmentRuns.$inferSelect;
export type PersonaRow = typeof personas.$inferSelect;

/** The data set's stored run (snapshot day, breakpoints as JSON, proposed and chosen k), or null before any. */
export function segmentRunRow(db: Db, datasetId: number): SegmentRunRow | null {
  return db.select().from(segmentRuns).where(eq(segmentRuns.datasetId, datasetId)).get() ?? null;
}

/** The run's RFM part (snapshot day, breakpoints as JSON): not the chosen k, so a page showing only these stays cached
 * when k is chosen (the page cache sees which columns a statement names). */
export function rfmRunRow(db: Db, datasetId: number): Pick<SegmentRunRow, "snapshotDate" | "cuts"> | null {
  return (
    db
      .select({ snapshotDate: segmentRuns.snapshotDate, cuts: segmentRuns.cuts })
      .from(segmentRuns)
      .where(eq(segmentRuns.datasetId, datasetId))
      .get() ?? null
  );
}

/** The persona sweep: inertia and silhouette per k, in k order. */
export function personaRunRows(db: Db, datasetId: number): { k: number; inertia: number; silhouette: number }[] {
  return db
    .select({ k: personaRuns.k, inertia: personaRuns.inertia, silhouette: personaRuns.silhouette })
    .from(personaRuns)
    .where(eq(personaRuns.datasetId, datasetId))
    .orderBy(asc(personaRuns.k))
    .all();
}

/** The clusters of the k-cluster run, in cluster order. */
export function personaRows(db: Db, datasetId: number, k: number): PersonaRow[] {
  return db
    .select()
    .from(personas)
    .where(and(eq(personas.datasetId, datasetId), eq(personas.k, k)))
    .orderBy(asc(personas.cluster))
    .all();
}

// ---- writing a data set's segments ----

type Stored<T extends { $inferInsert: object }> = Omit<T["$inferInsert"], "datasetId">;
export type SegmentsWrite = {
  rfm: Required<Stored<typeof customerRfm>>[];
  runs: Stored<typeof personaRuns>[];
  personas: Stored<typeof personas>[];
  run: Stored<typeof segmentRuns>;
};

/** Replaces the data set's RFM table, persona sweep, personas and run, in one transaction. */
export function replaceSegments(db: Db, datasetId: number, write: SegmentsWrite): void {
  inTransaction(db, () => {
    for (const table of [customerRfm, personaRuns, personas, segmentRuns])
      db.delete(table).where(eq(table.datasetId, datasetId)).run();
    // hand-written: 200,000 rows in 1.8–2.1 s, 3.1–3.5 s through drizzle (docs/decisions/0015-raw-sql-where.md)
    const rfm = db.$client.prepare(
      "INSERT INTO customer_rfm (dataset_id, customer_id, recency, frequency, monetary, r, f, m, segment, " +
        "persona, z_recency, z_frequency, z_monetary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    );
    for (const c of write.rfm)
      rfm.run(
        datasetId,
        c.customerId,
        c.recency,
        c.frequency,
        c.monetary,
        c.r,
        c.f,
        c.m,
        c.segment,
        c.persona,
        c.z1,
        c.z2,
        c.z3,
      );
    if (write.runs.length)
      db.insert(personaRuns)
        .values(write.runs.map((r) => ({ datasetId, ...r })))
        .run();
    if (write.personas.length)
      db.insert(personas)
        .values(write.personas.map((p) => ({ datasetId, ...p })))
        .run();
    db.insert(segmentRuns)
      .values({ datasetId, ...write.run })
      .run();
  });
}

/** Every customer's standardised persona features: [customer id, z recency, z frequency, z monetary]. */
export function rfmFeatures(db: Db, datasetId: number): [string, number, number, number][] {
  return db
    .select({ customerId: customerRfm.customerId, z1: customerRfm.z1, z2: customerRfm.z2, z3: customerRfm.z3 })
    .from(customerRfm)
    .where(eq(customerRfm.datasetId, datasetId))
    .values() as [string, number, number, number][]; // rows as arrays in the selected order: the k chooser's speed
}

/** Stores the chosen k and every customer's persona label under it, in one transaction. */
export function setPersonas(db: Db, datasetId: number, k: number, labels: { customerId: string; persona: number }[]) {
  inTransaction(db, () => {
    // hand-written: 200,000 rows in 0.74–0.78 s, 1.3–1.5 s through drizzle (docs/decisions/0015-raw-sql-where.md)
    const update = db.$client.prepare("UPDATE customer_rfm SET persona = ? WHERE dataset_id = ? AND customer_id = ?");
    for (const label of labels) update.run(label.persona, datasetId, label.customerId);
    db.update(segmentRuns).set({ chosenK: k }).where(eq(segmentRuns.datasetId, datasetId)).run();
  });
}

// ---- customer_rfm ----

/** A customer_rfm row's customers row. */
const customerOfRfm = and(
  eq(customers.datasetId, customerRfm.datasetId),
  eq(customers.customerId, customerRfm.customerId),
);

/** A customer's persona under the run's chosen k (joined with segment_runs), and its name ('' when none). */
const personaOfCustomer = and(
  eq(personas.datasetId, customerRfm.datasetId),
  eq(personas.k, segmentRuns.chosenK),
  eq(personas.cluster, customerRfm.persona),
);
const personaName = sql<string>`coalesce(${personas.name}, '')`;

export type RfmScores = {
  recency: number;
  frequency: number;
  monetary: number; // thousandths, net of returns
  segment: string;
  r: number;
  f: number;
  m: number;
};

// no persona: the segment summaries do not depend on the chosen k, and a page reading this stays cached when k is chosen
const scoreColumns = {
  recency: customerRfm.recency,
  frequency: customerRfm.frequency,
  monetary: customerRfm.monetary,
  segment: customerRfm.segment,
  r: customerRfm.r,
  f: customerRfm.f,
  m: customerRfm.m,
};

/** Every customer's stored RFM scores (the segment summaries' input). */
export function rfmScores(db: Db, datasetId: number): RfmScores[] {
  return db.select(scoreColumns).from(customerRfm).where(eq(customerRfm.datasetId, datasetId)).all();
}

/** Customers per segment. */
export function segmentCounts(db: Db, datasetId: number): Map<string, number> {
  const rows = db
    .select({ segment: customerRfm.segment, n: count() })
    .from(customerRfm)
    .where(eq(customerRfm.datasetId, datasetId))
    .groupBy(customerRfm.segment)
    .all();
  return new Map(rows.map((r) => [r.segment, r.n]));
}

/** Every n-th customer in id order (the persona scatter): recency, frequency, monetary (thousandths) and persona. */
export function rfmSample(
  db: Db,
  datasetId: number,
  limit: number,
): { recency: number; monetary: number; frequency: number; persona: number }[] {
  const total = db.select({ n: count() }).from(customerRfm).where(eq(customerRfm.datasetId, datasetId)).get()?.n ?? 0;
  const step = Math.max(1, Math.ceil(total / limit));
  const numbered = db
    .select({
      recency: customerRfm.recency,
      monetary: customerRfm.monetary,
      frequency: customerRfm.frequency,
      persona: customerRfm.persona,
      rn: sql<number>`row_number() over (order by ${customerRfm.customerId})`.as("rn"),
    })
    .from(customerRfm)
    .where(eq(customerRfm.datasetId, datasetId))
    .as("numbered");
  return db
    .select({
      recency: numbered.recency,
      monetary: numbered.monetary,
      frequency: numbered.frequency,
      persona: numbered.persona,
    })
    .from(numbered)
    .where(sql`(${numbered.rn} - 1) % ${step} = 0`)
    .all();
}

/** Each customer's persona name, [customer id, name] (of the chosen k; '' when the data set has no personas). */
export function customerPersonaNames(db: Db, datasetId: number): [string, string][] {
  return db
    .select({ customerId: customerRfm.customerId, persona: personaName })
    .from(customerRfm)
    .innerJoin(segmentRuns, eq(segmentRuns.datasetId, customerRfm.datasetId))
    .leftJoin(personas, personaOfCustomer)
    .where(eq(customerRfm.datasetId, datasetId))
    .values() as [string, string][]; // rows as arrays in the selected order: twice as fast as objects (decision 0015)
}

// ---- who is in an audience or a members table ----

const conditionColumns = {
  segment: { column: customerRfm.segment, scale: 1 },
  country: { column: customers.country, scale: 1 },
  recency: { column: customerRfm.recency, scale: 1 },
  frequency: { column: customerRfm.frequency, scale: 1 },
  monetary: { column: customerRfm.monetary, scale: 1000 }, // stored in thousandths
};

/** The grid cell R × FM over stored F and M: FM = ⌈(F + M) / 2⌉, so the F + M totals of that FM (fmSums). */
const inCell = (r: number, fm: number): SQL =>
  and(eq(customerRfm.r, r), inArray(sql`${customerRfm.f} + ${customerRfm.m}`, fmSums(fm)))!;

/** An audience rule's conditions (audience-rule.ts, the one definition) as SQL over customer_rfm and customers. */
export function conditionsWhere(conditions: Condition[]): SQL[] {
  return conditions.flatMap((k): SQL[] => {
    if (k.field === "cell") return [inCell(k.r, k.fm)];
    const { column, scale } = conditionColumns[k.field];
    if (k.field === "segment" || k.field === "country") return [inArray(column, k.oneOf)];
    return [
      ...(k.min !== undefined ? [gte(column, Math.round(k.min * scale))] : []),
      ...(k.max !== undefined ? [lte(column, Math.round(k.max * scale))] : []),
    ];
  });
}

/** The customers of the k-cluster persona `cluster`: nearer its stored centroid than any other's (squared distance). */
export function nearestCentroidWhere(centroids: number[][], cluster: number): SQL {
  const z = [customerRfm.z1, customerRfm.z2, customerRfm.z3];
  const distance = (c: number[]) =>
    sql.join(
      z.map((col, i) => sql`(${col} - ${c[i]}) * (${col} - ${c[i]})`),
      sql` + `,
    );
  const own = centroids[cluster];
  if (!own) return sql`0`;
  return and(sql`1`, ...centroids.filter((_, i) => i !== cluster).map((c) => sql`${distance(own)} <= ${distance(c)}`))!;
}

/** Customers whose stored persona label is `cluster` (the chosen k's clusters). */
export const personaLabelWhere = (cluster: number): SQL => eq(customerRfm.persona, cluster);

/** One customer. */
export const customerWhere = (customerId: string): SQL => eq(customerRfm.customerId, customerId);

/** Customer id or country containing `search` (LIKE, with %, _ and \ taken literally). */
export function searchWhere(search: string): SQL {
  const like = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`(${customerRfm.customerId} LIKE ${like} ESCAPE '\\' OR ${customers.country} LIKE ${like} ESCAPE '\\')`;
}

/** A members-table row: a customer's stored RFM, country and persona name (of the chosen k; '' when none). */
export type MemberScores = {
  customerId: string;
  country: string | null;
  recency: number;
  frequency: number;
  monetary: number; // thousandths, net of returns
  r: number;
  f: number;
  m: number;
  segment: string;
  persona: string;
};

const MEMBER_COLUMNS = {
  customerId: customerRfm.customerId,
  country: customers.country,
  recency: customerRfm.recency,
  frequency: customerRfm.frequency,
  monetary: customerRfm.monetary,
  r: customerRfm.r,
  f: customerRfm.f,
  m: customerRfm.m,
  segment: customerRfm.segment,
};

/** customer_rfm joined with its customer (country), the run and the chosen k's persona names. */
function memberSelect(db: Db) {
  return db
    .select({ ...MEMBER_COLUMNS, persona: personaName })
    .from(customerRfm)
    .leftJoin(customers, customerOfRfm)
    .innerJoin(segmentRuns, eq(segmentRuns.datasetId, customerRfm.datasetId))
    .leftJoin(personas, personaOfCustomer)
    .$dynamic();
}

const { customerId: customerIdColumn, ...scoreAndCountryColumns } = MEMBER_COLUMNS;
const SORT_COLUMNS = {
  customer_id: customerIdColumn,
  ...scoreAndCountryColumns,
} satisfies Record<MemberSort, unknown>;

/** How many members meet `where` (conditions from conditionsWhere, searchWhere, personaLabelWhere). */
export function memberCount(db: Db, datasetId: number, where: SQL[]): number {
  const members = memberSelect(db)
    .where(and(eq(customerRfm.datasetId, datasetId), ...where))
    .as("members");
  return db.select({ n: count() }).from(members).get()?.n ?? 0;
}

/** The members meeting `where`, sorted (then by id; by id alone without `order`), one page of them with `page`. */
export function memberRows(
  db: Db,
  datasetId: number,
  where: SQL[],
  order: { sort: MemberSort; descending: boolean } | null = null,
  page?: { limit: number; offset: number },
): MemberScores[] {
  const q = memberSelect(db)
    .where(and(eq(customerRfm.datasetId, datasetId), ...where))
    .orderBy(
      ...(order ? [order.descending ? desc(SORT_COLUMNS[order.sort]) : asc(SORT_COLUMNS[order.sort])] : []),
      asc(customerRfm.customerId),
    );
  return (page ? q.limit(page.limit).offset(page.offset) : q).all();
}

/** A customer's stored totals (gross sales, returns, dates) from the customers table. */
export function customerTotals(db: Db, datasetId: number, customerId: string) {
  return db
    .select({
      firstPurchaseAt: customers.firstPurchaseAt,
      lastPurchaseAt: customers.lastPurchaseAt,
      cohortMonth: customers.cohortMonth,
      sales: customers.revenue,
      returns: customers.returns,
      returnOrders: customers.returnOrders,
    })
    .from(customers)
    .where(and(eq(customers.datasetId, datasetId), eq(customers.customerId, customerId)))
    .get();
}

/** A customer's orders and returns in time order (amounts in thousandths). */
export function customerOrders(db: Db, datasetId: number, customerId: string) {
  return db
    .select({
      invoice: orders.invoice,
      kind: orders.kind,
      at: orders.invoicedAt,
      lines: orders.lines,
      amount: orders.amount,
      country: orders.country,
    })
    .from(orders)
    .where(and(eq(orders.datasetId, datasetId), eq(orders.customerId, customerId)))
    .orderBy(asc(orders.invoicedAt), asc(orders.id))
    .all();
}

/** Every customer's RFM input: last purchase, orders, gross sales and returns (thousandths), in id order. */
export function customerRfmInputs(
  db: Db,
  datasetId: number,
): { customerId: string; lastPurchaseAt: string; orders: number; revenue: number; returns: number }[] {
  return db
    .select({
      customerId: customers.customerId,
      lastPurchaseAt: customers.lastPurchaseAt,
      orders: customers.orders,
      revenue: customers.revenue,
      returns: customers.returns,
    })
    .from(customers)
    .where(eq(customers.datasetId, datasetId))
    .orderBy(asc(customers.customerId))
    .all();
}

/** The countries of the data set's customers, the most customers first (the audience form's choices). */
export function customerCountries(db: Db, datasetId: number): string[] {
  return db
    .select({ country: customers.country })
    .from(customers)
    .where(and(eq(customers.datasetId, datasetId), isNotNull(customers.country)))
    .groupBy(customers.country)
    .orderBy(desc(count()))
    .all()
    .flatMap((r) => (r.country === null ? [] : [r.country]));
}

/** An audience's size and net spend (thousandths): customer_rfm joined with customers, meeting `where`. */
export function audienceTotals(db: Db, datasetId: number, where: SQL[]): { customers: number; monetary: number } {
  const row = db
    .select({ customers: count(), monetary: sql<number>`coalesce(sum(${customerRfm.monetary}), 0)` })
    .from(customerRfm)
    .leftJoin(customers, customerOfRfm)
    .where(and(eq(customerRfm.datasetId, datasetId), ...where))
    .get();
  return row ?? { customers: 0, monetary: 0 };
}

/** An audience's customer ids in id order. */
export function audienceMemberIds(db: Db, datasetId: number, where: SQL[]): string[] {
  return db
    .select({ customerId: customerRfm.customerId })
    .from(customerRfm)
    .leftJoin(customers, customerOfRfm)
    .where(and(eq(customerRfm.datasetId, datasetId), ...where))
    .orderBy(asc(customerRfm.customerId))
    .all()
    .map((r) => r.customerId);
}

// ---- saved audiences ----

export type AudienceRow = typeof audiences.$inferSelect;

/** The data set's saved audiences, by name then id. */
export function audienceRows(db: Db, datasetId: number): AudienceRow[] {
  return db
    .select()
    .from(audiences)
    .where(eq(audiences.datasetId, datasetId))
    .orderBy(asc(audiences.name), asc(audiences.id))
    .all();
}

export function audienceRow(db: Db, id: number): AudienceRow | null {
  return db.select().from(audiences).where(eq(audiences.id, id)).get() ?? null;
}

/** The data set's saved audiences by name (the audience picker's choices). */
export function audienceNames(db: Db, datasetId: number): { id: number; name: string }[] {
  return db
    .select({ id: audiences.id, name: audiences.name })
    .from(audiences)
    .where(eq(audiences.datasetId, datasetId))
    .orderBy(asc(audiences.name))
    .all();
}

type AudienceFields = Pick<AudienceRow, "name" | "kind" | "definition">;

export function insertAudience(db: Db, datasetId: number, fields: AudienceFields, at: string): number {
  return db
    .insert(audiences)
    .values({ datasetId, ...fields, createdAt: at, updatedAt: at })
    .returning({ id: audiences.id })
    .get().id;
}

/** Changes a saved audience of the data set; false when there is none with that id. */
export function updateAudience(db: Db, datasetId: number, id: number, fields: AudienceFields, at: string): boolean {
  const { changes } = db
    .update(audiences)
    .set({ ...fields, updatedAt: at })
    .where(and(eq(audiences.id, id), eq(audiences.datasetId, datasetId)))
    .run();
  return changes > 0;
}

export function deleteAudience(db: Db, id: number): boolean {
  return db.delete(audiences).where(eq(audiences.id, id)).run().changes > 0;
}
