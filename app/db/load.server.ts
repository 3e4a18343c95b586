import { rmSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { and, asc, eq, isNotNull, max } from "drizzle-orm";
import type { Db } from "./db.server";
import { projectRoot } from "./paths.server";
import { lines, orders, products } from "./schema";
import { LINE_WIDTH, type CustomerFacts, type LineBatch, type OrderFacts, type ProductFacts } from "~/types/import";

// Bulk writes of an import, with prepared statements (drizzle's builder costs too much per row at 500,000 lines); the
// reads of a stored data set an update needs are drizzle's, but for the overlap check's iteration of every line.
// Every statement here runs inside the import's single transaction (app/ingest/import.server.ts).

const ROWS_PER_STATEMENT = 50;
/** Batches (a chunk's kept lines, about 0.6 MB each) sent to the staging thread and not yet written: 16 at most. */
const MAX_BATCHES_IN_FLIGHT = 16;
const LINE_COLUMNS = ["dataset_id", "order_id", "line_no", "product_id", "quantity", "unit_price", "amount"];

/** What an import stages (openStage): its kept lines, as they were read. */
export type Stage = {
  /**
   * Takes a batch of kept lines; its buffer moves to the staging thread (the batch is unusable afterwards). Returns a
   * promise to await when that thread is MAX_BATCHES_IN_FLIGHT batches behind, so that memory stays bounded.
   */
  writer: (batch: LineBatch) => Promise<void> | undefined;
  /** Once every batch was given: waits for them to be written (throwing the staging thread's error, if any). */
  end: () => Promise<void>;
  /** Stops the staging thread if it still runs and removes the scratch file (after end, or on any failure). */
  close: () => Promise<void>;
};

/**
 * The staging of an import (#12 item 6): its lines go to a scratch file beside the database while the file is read and
 * cleaned, holding no lock on the database; the import takes the write lock only to copy them in (copyStagedLines).
 * A thread of its own writes them (decision 0025): the main thread goes on reading and cleaning meanwhile. Once `end`
 * resolves, the scratch file is attached to the connection as `stage`.
 */
export function openStage(db: Db, options: { faultAfterLines?: number } = {}): Stage {
  const sqlite = db.$client;
  const path = `${sqlite.name}.import-${process.pid}-${Date.now()}.scratch`;
  const worker = new Worker(join(projectRoot(), "app", "db", "stage.worker.mjs"), {
    workerData: {
      path,
      create:
        "CREATE TABLE lines (dataset_id INTEGER, order_id INTEGER NOT NULL, line_no INTEGER NOT NULL, " +
        "product_id INTEGER, quantity INTEGER NOT NULL, unit_price INTEGER, amount INTEGER NOT NULL)",
      table: "lines",
      columns: LINE_COLUMNS,
      width: LINE_WIDTH,
      rowsPerStatement: ROWS_PER_STATEMENT,
      faultAfterRows: options.faultAfterLines,
    },
  });
  let failure: Error | null = null;
  let running = true;
  const stopped = new Promise<void>((resolve) =>
    worker.once("exit", (code) => {
      running = false;
      if (code !== 0) failure ??= new Error(`the staging thread stopped (exit code ${code})`);
      resolve();
    }),
  );
  worker.once("error", (err) => (failure ??= err));
  let inFlight = 0;
  let drained: (() => void) | null = null;
  let done: (() => void) | null = null;
  worker.on("message", (message: number | "done") => {
    if (message === "done") return done?.();
    inFlight--;
    if (drained && inFlight <= MAX_BATCHES_IN_FLIGHT / 2) (drained(), (drained = null));
  });
  let attached = false;
  const end = async () => {
    if (running && !failure) {
      const ended = new Promise<void>((resolve) => (done = resolve));
      worker.postMessage("end");
      await Promise.race([ended, stopped]);
    }
    if (failure) throw failure;
    await worker.terminate();
    sqlite.prepare("ATTACH DATABASE ? AS stage").run(path);
    attached = true;
  };
  return {
    writer: ({ values, rows }) => {
      if (failure) throw failure; // the file stops being read at the staging thread's first error
      worker.postMessage({ values, rows }, [values.buffer as ArrayBuffer]);
      if (++inFlight <= MAX_BATCHES_IN_FLIGHT) return undefined;
      // the reader waits for the thread (or its failure: then the next batch throws it)
      return Promise.race([new Promise<void>((resolve) => (drained = resolve)), stopped]);
    },
    end,
    close: async () => {
      await worker.terminate();
      if (attached) sqlite.exec("DETACH DATABASE stage");
      attached = false;
      rmSync(path, { force: true });
    },
  };
}

/**
 * Copies the staged lines into `lines` for the data set, in the order they were read (inside the import's transaction).
 * `shift` moves the ids given while reading past those another import took meanwhile; only product ids from
 * `newProductsFrom` on are new (an update's lines also name the data set's stored products, which keep their ids).
 */
export function copyStagedLines(
  db: Db,
  datasetId: number,
  shift = { order: 0, product: 0 },
  newProductsFrom = 0,
): void {
  const sqlite = db.$client;
  sqlite
    .prepare(
      `INSERT INTO main.lines (${LINE_COLUMNS.join(",")}) SELECT ?, order_id + ?, line_no, product_id + ` +
        `CASE WHEN product_id >= ? THEN ? ELSE 0 END, quantity, unit_price, amount FROM stage.lines ORDER BY rowid`,
    )
    .run(datasetId, shift.order, newProductsFrom, shift.product);
}

/** The staged lines as an update's derive step reads them: order id, product id, quantity, amount; and their count. */
export function stagedLines(db: Db): {
  count: number;
  rows: () => IterableIterator<[number, number | null, number, number]>;
} {
  const sqlite = db.$client;
  return {
    count: sqlite.prepare("SELECT COUNT(*) FROM stage.lines").pluck().get() as number,
    rows: () =>
      sqlite
        .prepare("SELECT order_id, product_id, quantity, amount FROM stage.lines ORDER BY rowid")
        .raw()
        .iterate() as IterableIterator<[number, number | null, number, number]>,
  };
}

/** Distinct countries of a data set's stored orders. */
export function storedCountries(db: Db, datasetId: number): string[] {
  return db
    .selectDistinct({ country: orders.country })
    .from(orders)
    .where(and(eq(orders.datasetId, datasetId), isNotNull(orders.country)))
    .all()
    .flatMap((o) => (o.country === null ? [] : [o.country]));
}

/** Distinct merchandise products sold in a data set's stored lines. */
export function storedMerchandiseSold(db: Db, datasetId: number): number[] {
  return db
    .selectDistinct({ product: products.id })
    .from(lines)
    .innerJoin(orders, eq(orders.id, lines.orderId))
    .innerJoin(products, eq(products.id, lines.productId))
    .where(and(eq(lines.datasetId, datasetId), eq(orders.kind, "sale"), eq(products.nonMerchandise, false)))
    .all()
    .map((p) => p.product);
}

export function nextIds(db: Db): { order: number; product: number } {
  const order =
    db
      .select({ m: max(orders.id) })
      .from(orders)
      .get()?.m ?? 0;
  const product =
    db
      .select({ m: max(products.id) })
      .from(products)
      .get()?.m ?? 0;
  return { order: order + 1, product: product + 1 };
}

/**
 * Order and product ids were given while reading (from `firstIds`): another import that landed meanwhile took some, so
 * this one's move past them. Shifts the orders and products given, and returns the shift for the staged lines.
 */
export function shiftPastTakenIds(
  db: Db,
  firstIds: { order: number; product: number },
  orders: Iterable<{ id: number }>,
  products: Iterable<{ id: number }>,
): { order: number; product: number } {
  const ids = nextIds(db);
  const shift = {
    order: Math.max(0, ids.order - firstIds.order),
    product: Math.max(0, ids.product - firstIds.product),
  };
  if (shift.order) for (const o of orders) o.id += shift.order;
  if (shift.product) for (const p of products) p.id += shift.product;
  return shift;
}

export function writeOrders(db: Db, datasetId: number, orders: Iterable<OrderFacts>) {
  const sqlite = db.$client;
  const insert = sqlite.prepare(
    "INSERT INTO orders (id, dataset_id, invoice, kind, customer_id, country, invoiced_at, invoice_month, lines, amount) VALUES (?,?,?,?,?,?,?,?,?,?)",
  );
  for (const o of orders)
    insert.run(o.id, datasetId, o.invoice, o.kind, o.customerId, o.country, o.at, o.month, o.lines, o.amount);
}

export function writeProducts(db: Db, datasetId: number, products: Iterable<ProductFacts>) {
  const sqlite = db.$client;
  const insert = sqlite.prepare(
    "INSERT INTO products (id, dataset_id, stock_code, description, non_merchandise) VALUES (?,?,?,?,?)",
  );
  for (const p of products) insert.run(p.id, datasetId, p.stockCode, p.description, p.nonMerchandise ? 1 : 0);
}

export function writeCustomers(db: Db, datasetId: number, customers: Iterable<CustomerFacts>) {
  const sqlite = db.$client;
  const insert = sqlite.prepare(
    `INSERT INTO customers (dataset_id, customer_id, country, first_purchase_at, last_purchase_at, cohort_month, orders,
       sales_lines, revenue, return_orders, returns) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const c of customers) {
    insert.run(
      datasetId,
      c.customerId,
      c.country,
      c.firstAt,
      c.lastAt,
      c.firstAt.slice(0, 7),
      c.orders,
      c.salesLines,
      c.revenue,
      c.returnOrders,
      c.returns,
    );
  }
}

/** Every stored line of a data set as the update's overlap check reads it: invoice, kind, product, quantity, amount. */
export function storedLineKeys(
  db: Db,
  datasetId: number,
): IterableIterator<[string, string, string | null, number, number]> {
  const sqlite = db.$client;
  return sqlite
    .prepare(
      `SELECT o.invoice, o.kind, p.stock_code, l.quantity, l.amount FROM lines l JOIN orders o ON o.id = l.order_id
         LEFT JOIN products p ON p.id = l.product_id WHERE l.dataset_id = ?`,
    )
    .raw()
    .iterate(datasetId) as IterableIterator<[string, string, string | null, number, number]>;
}

/** A data set's stored orders of customers, in id (file) order, as the pipeline's order facts. */
export function storedCustomerOrders(db: Db, datasetId: number): OrderFacts[] {
  return db
    .select({
      id: orders.id,
      invoice: orders.invoice,
      kind: orders.kind,
      customerId: orders.customerId,
      country: orders.country,
      at: orders.invoicedAt,
      month: orders.invoiceMonth,
      lines: orders.lines,
      amount: orders.amount,
    })
    .from(orders)
    .where(and(eq(orders.datasetId, datasetId), isNotNull(orders.customerId)))
    .orderBy(asc(orders.id))
    .all();
}

/** A data set's stored products, so that an update's lines reuse their ids. */
export function storedProducts(db: Db, datasetId: number): ProductFacts[] {
  return db
    .select({
      id: products.id,
      stockCode: products.stockCode,
      description: products.description,
      nonMerchandise: products.nonMerchandise,
    })
    .from(products)
    .where(eq(products.datasetId, datasetId))
    .all();
}

/** Replaces a data set's customers (an update recomputes them from all its orders). */
export function replaceCustomers(db: Db, datasetId: number, customers: Iterable<CustomerFacts>) {
  const sqlite = db.$client;
  sqlite.prepare("DELETE FROM customers WHERE dataset_id = ?").run(datasetId);
  writeCustomers(db, datasetId, customers);
}

/** Removes a data set and everything derived from it. */
export function deleteDatasetRows(db: Db, datasetId: number) {
  const sqlite = db.$client;
  for (const table of [
    "assignments",
    "experiment_versions",
    "experiment_history",
    "experiment_results",
    "experiment_outcomes",
  ]) {
    sqlite
      .prepare(`DELETE FROM ${table} WHERE experiment_id IN (SELECT id FROM experiments WHERE dataset_id = ?)`)
      .run(datasetId);
  }
  for (const table of [
    "lines",
    "orders",
    "products",
    "customers",
    "customer_rfm",
    "persona_runs",
    "personas",
    "segment_runs",
    "audiences",
    "experiments",
    "dataset_imports",
    "warehouse_sources",
  ]) {
    sqlite.prepare(`DELETE FROM ${table} WHERE dataset_id = ?`).run(datasetId);
  }
  sqlite.prepare("DELETE FROM datasets WHERE id = ?").run(datasetId);
}
