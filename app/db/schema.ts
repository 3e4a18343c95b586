import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Money columns hold exact integers of thousandths of the currency unit (app/ingest/money.ts).
// Timestamps are ISO local strings "YYYY-MM-DDTHH:MM:SS": sortable, portable to PostgreSQL.

/** One imported file: a "workspace" in the user's words. */
export const datasets = sqliteTable("datasets", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  fileName: text("file_name").notNull(),
  contentHash: text("content_hash").notNull(),
  format: text("format").notNull(),
  encoding: text("encoding").notNull(),
  dateFormat: text("date_format").notNull(),
  importedAt: text("imported_at").notNull(),
  firstAt: text("first_at"),
  lastAt: text("last_at"),
  report: text("report").notNull(),
  // ISO 4217 code of the amounts (issue 14); null: shown as plain numbers
  currency: text("currency"),
  // issue 17: "imported" keeps its lines here; "warehouse" reads a PostgreSQL table through warehouse_sources
  kind: text("kind", { enum: ["imported", "warehouse"] })
    .notNull()
    .default("imported"),
});

/**
 * A warehouse data set's connection (issue 17). `url` is the libpq URL with its password: read only by
 * db/warehouse.server.ts to connect, never returned by a page, the API or the CLI, which show `masked_url`.
 */
export const warehouseSources = sqliteTable("warehouse_sources", {
  datasetId: integer("dataset_id").primaryKey(),
  url: text("url").notNull(),
  maskedUrl: text("masked_url").notNull(),
  ordersTable: text("orders_table").notNull(), // "schema.table" or "table", a table or a view of transaction lines
  mapping: text("mapping").notNull(), // JSON field → column, the same mapping as a CSV's (ingest/formats.ts)
  assignmentsSchema: text("assignments_schema"), // where started experiments' assignments are also written, or null
  connectedAt: text("connected_at").notNull(),
});

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** Products seen in sales or cancellation lines (a stock code, or a description when the file has no stock codes). */
export const products = sqliteTable(
  "products",
  {
    id: integer("id").primaryKey(),
    datasetId: integer("dataset_id").notNull(),
    stockCode: text("stock_code").notNull(),
    description: text("description"),
    nonMerchandise: integer("non_merchandise", { mode: "boolean" }).notNull(),
  },
  (t) => [index("products_dataset").on(t.datasetId)],
);

/** One row per invoice (sales or cancellation); without an invoice column, a customer's lines at one timestamp. */
export const orders = sqliteTable(
  "orders",
  {
    id: integer("id").primaryKey(),
    datasetId: integer("dataset_id").notNull(),
    invoice: text("invoice").notNull(),
    kind: text("kind", { enum: ["sale", "return"] }).notNull(),
    customerId: text("customer_id"),
    country: text("country"),
    invoicedAt: text("invoiced_at").notNull(),
    invoiceMonth: text("invoice_month").notNull(),
    lines: integer("lines").notNull(),
    amount: integer("amount").notNull(),
  },
  (t) => [
    index("orders_dataset_time").on(t.datasetId, t.invoicedAt),
    index("orders_dataset_customer").on(t.datasetId, t.customerId),
  ],
);

/**
 * Sales and cancellation lines kept after cleaning (PRODUCT.md §1); rejected, duplicate and invalid lines are only
 * counted. Narrow on purpose: the order carries customer, time, country and kind (docs/decisions/0004-storage-layout.md).
 */
export const lines = sqliteTable(
  "lines",
  {
    id: integer("id").primaryKey(),
    datasetId: integer("dataset_id").notNull(),
    orderId: integer("order_id").notNull(),
    lineNo: integer("line_no").notNull(),
    productId: integer("product_id"),
    quantity: integer("quantity").notNull(),
    unitPrice: integer("unit_price"),
    amount: integer("amount").notNull(),
  },
  (t) => [index("lines_dataset_order").on(t.datasetId, t.orderId)],
);
/** Customer-level facts from customer sales lines (PRODUCT.md §1.5–1.6). */
export const customers = sqliteTable(
  "customers",
  {
    datasetId: integer("dataset_id").notNull(),
    customerId: text("customer_id").notNull(),
    country: text("country"),
    firstPurchaseAt: text("first_purchase_at").notNull(),
    lastPurchaseAt: text("last_purchase_at").notNull(),
    cohortMonth: text("cohort_month").notNull(),
    orders: integer("orders").notNull(),
    salesLines: integer("sales_lines").notNull(),
    revenue: integer("revenue").notNull(),
    returnOrders: integer("return_orders").notNull(),
    returns: integer("returns").notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.customerId] })],
);

/** RFM per customer as of the data set's last day (PRODUCT.md §3), with the standardised persona features. */
export const customerRfm = sqliteTable(
  "customer_rfm",
  {
    datasetId: integer("dataset_id").notNull(),
    customerId: text("customer_id").notNull(),
    recency: integer("recency").notNull(),
    frequency: integer("frequency").notNull(),
    monetary: integer("monetary").notNull(), // thousandths
    r: integer("r").notNull(),
    f: integer("f").notNull(),
    m: integer("m").notNull(),
    segment: text("segment").notNull(),
    persona: integer("persona").notNull(), // cluster of the chosen k
    z1: real("z_recency").notNull(),
    z2: real("z_frequency").notNull(),
    z3: real("z_monetary").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.datasetId, t.customerId] }),
    index("customer_rfm_segment").on(t.datasetId, t.segment),
  ],
);

/** The persona sweep: one row per k. */
export const personaRuns = sqliteTable(
  "persona_runs",
  {
    datasetId: integer("dataset_id").notNull(),
    k: integer("k").notNull(),
    inertia: real("inertia").notNull(),
    silhouette: real("silhouette").notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.k] })],
);

/** Every cluster of every k, named from its centroid. */
export const personas = sqliteTable(
  "personas",
  {
    datasetId: integer("dataset_id").notNull(),
    k: integer("k").notNull(),
    cluster: integer("cluster").notNull(),
    name: text("name").notNull(),
    centroid: text("centroid").notNull(), // JSON [z recency, z frequency, z monetary]
    customers: integer("customers").notNull(),
    revenue: integer("revenue").notNull(), // thousandths
    medianRecency: real("median_recency").notNull(),
    medianFrequency: real("median_frequency").notNull(),
    medianMonetary: real("median_monetary").notNull(), // currency units
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.k, t.cluster] })],
);

/** Per data set: the snapshot day, the breakpoints, the proposed and the chosen k. */
export const segmentRuns = sqliteTable("segment_runs", {
  datasetId: integer("dataset_id").primaryKey(),
  snapshotDate: text("snapshot_date").notNull(),
  cuts: text("cuts").notNull(), // JSON breakpoints of recency, frequency, monetary
  bestK: integer("best_k").notNull(),
  chosenK: integer("chosen_k").notNull(),
  silhouetteSample: integer("silhouette_sample"),
  seconds: real("seconds").notNull(),
  computedAt: text("computed_at").notNull(),
});

/** Saved audiences: a segment, a persona, or a filter over customers (definition as JSON). */
export const audiences = sqliteTable("audiences", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  datasetId: integer("dataset_id").notNull(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["segment", "persona", "filter"] }).notNull(),
  definition: text("definition").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Campaign experiments: the design as JSON (validated by app/experiments/design.ts), status and dates. */
export const experiments = sqliteTable("experiments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  datasetId: integer("dataset_id").notNull(),
  name: text("name").notNull(),
  status: text("status", { enum: ["draft", "running", "completed"] }).notNull(),
  design: text("design").notNull(),
  version: integer("version").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  startedAt: text("started_at"),
  // the start day S (issue 13): the data set's last transaction day at Start, or a later send date
  startDate: text("start_date"),
  archivedAt: text("archived_at"),
  stopReason: text("stop_reason"), // set when a running experiment was stopped early
  decision: text("decision", { enum: ["ship", "dont-ship", "inconclusive"] }),
  decisionNote: text("decision_note"),
  decidedAt: text("decided_at"),
});

/** Every state change of an experiment (created, saved, started, stopped, completed, decided, archived, …). */
export const experimentHistory = sqliteTable(
  "experiment_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    experimentId: integer("experiment_id").notNull(),
    at: text("at").notNull(),
    action: text("action").notNull(),
    note: text("note"),
  },
  (t) => [index("experiment_history_experiment").on(t.experimentId)],
);

/** Every saved version of an experiment's design, with its time. */
export const experimentVersions = sqliteTable(
  "experiment_versions",
  {
    experimentId: integer("experiment_id").notNull(),
    version: integer("version").notNull(),
    savedAt: text("saved_at").notNull(),
    design: text("design").notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.version] })],
);

/** The frozen assignment of a started experiment: customer → arm index. */
export const assignments = sqliteTable(
  "assignments",
  {
    experimentId: integer("experiment_id").notNull(),
    customerId: text("customer_id").notNull(),
    arm: integer("arm").notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.customerId] })],
);

/** An experiment's recorded results (the latest recording): per-arm sums, how they were recorded, what was reported. */
export const experimentResults = sqliteTable("experiment_results", {
  experimentId: integer("experiment_id").primaryKey(),
  source: text("source", { enum: ["aggregate", "upload", "simulation", "measured"] }).notNull(),
  recordedAt: text("recorded_at").notNull(),
  arms: text("arms").notNull(), // JSON per-arm sufficient statistics
  notes: text("notes").notNull(), // JSON: upload problems, simulation settings
});

/** Per-customer outcomes, when results were uploaded per customer or simulated (CUPED needs them). */
export const experimentOutcomes = sqliteTable(
  "experiment_outcomes",
  {
    experimentId: integer("experiment_id").notNull(),
    customerId: text("customer_id").notNull(),
    arm: integer("arm").notNull(),
    converted: integer("converted").notNull(),
    revenue: real("revenue").notNull(),
    orders: integer("orders").notNull(),
    refunded: real("refunded").notNull(),
    preSpend: real("pre_spend").notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.customerId] })],
);

/** Each data set's history of imports and updates (issue 13), with the report of each. */
export const datasetImports = sqliteTable(
  "dataset_imports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id").notNull(),
    kind: text("kind", { enum: ["import", "update"] }).notNull(),
    fileName: text("file_name").notNull(),
    contentHash: text("content_hash").notNull(),
    importedAt: text("imported_at").notNull(),
    report: text("report").notNull(), // JSON import or update report
  },
  (t) => [index("dataset_imports_dataset").on(t.datasetId)],
);

/**
 * How many times each area of the data (data, segments, audiences, experiments) has changed: bumped by triggers on
 * its small tables in the writer's own transaction, whichever process writes (drizzle/0006_change_counters.sql). The
 * page cache keeps a page while the areas it read are unchanged (app/db/change-counters.server.ts).
 */
export const changeCounters = sqliteTable("change_counters", {
  area: text("area").primaryKey(),
  n: integer("n").notNull(),
});
