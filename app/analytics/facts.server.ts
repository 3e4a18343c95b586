import { count, eq } from "drizzle-orm";
import type { Db } from "~/db/db.server";
import { datasets, lines as lineRows } from "~/db/schema";
import { dataVersion } from "~/db/version.server";
import { BigMap } from "~/lib/big-map";
import { sortByCodePoint } from "~/lib/code-point-order";
import { AppError } from "~/lib/errors";
import { processWide } from "~/lib/process.server";
import type { CustomerFacts, OrderFacts, PendingUpdate, ProductFacts } from "~/types/import";
import { dayNumber, type Facts } from "./facts";
import { forgetMemo } from "./memo.server";
import { readSnapshot, writeSnapshot } from "./snapshot.server";

// Loads a data set's orders, lines, products and customers into columns once, and keeps the last two data sets loaded.
// A large data set's columns are also kept in a file beside the database (snapshot.server.ts): the next process reads
// them from there.
// Each use checks the data set's version (one indexed row): data changed by another process (an update, a replacement)
// is loaded again, and the memo of computed results is cleared with it.

type Loaded = { version: string; facts: Facts };
const cache = processWide("facts", () => new Map<number, Loaded>());
const KEEP = 2;

export function getFacts(db: Db, datasetId: number): Facts {
  const version = dataVersion(db, datasetId);
  const hit = cache.get(datasetId);
  if (hit && hit.version === version) {
    cache.delete(datasetId);
    cache.set(datasetId, hit);
    return hit.facts;
  }
  if (hit) forgetMemo();
  let facts = readSnapshot(db, datasetId, version);
  if (!facts) {
    facts = loadFacts(db, datasetId);
    writeSnapshot(db, datasetId, version, facts);
  }
  cache.set(datasetId, { version, facts });
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return facts;
}

/**
 * Loads a data set's facts from the store; with `pending`, as they will be once an update's new data is written (the
 * update derives its tables from them before it takes the write lock): every customer recomputed, the new orders,
 * products and lines appended after the stored ones, in the order the store would give them.
 */
export function loadFacts(db: Db, datasetId: number, pending?: PendingUpdate): Facts {
  const sqlite = db.$client;
  // a warehouse data set has no lines here (issue 17): its figures come from PostgreSQL, never from empty columns
  const dataset = db
    .select({ kind: datasets.kind, name: datasets.name, currency: datasets.currency })
    .from(datasets)
    .where(eq(datasets.id, datasetId))
    .get();
  if (dataset?.kind === "warehouse")
    throw new AppError(
      `"${dataset.name}" is a warehouse data set: this figure is computed from transaction lines held here, which a warehouse data set does not have`,
    );
  const customerRows = pending
    ? customerRowsOf(pending.customers)
    : (sqlite
        .prepare(
          "SELECT customer_id, country, first_purchase_at FROM customers WHERE dataset_id = ? ORDER BY customer_id",
        )
        .raw()
        .all(datasetId) as CustomerRow[]);
  const productRows = sqlite
    .prepare("SELECT id, stock_code, description, non_merchandise FROM products WHERE dataset_id = ? ORDER BY id")
    .raw()
    .all(datasetId) as ProductRow[];
  if (pending) for (const p of pending.products) productRows.push(productRow(p));
  const orderRows = sqlite
    .prepare("SELECT id, kind, customer_id, country, invoiced_at, amount FROM orders WHERE dataset_id = ? ORDER BY id")
    .raw()
    .all(datasetId) as OrderRow[];
  if (pending) for (const o of pending.orders) orderRows.push(orderRow(o));
  const currency = dataset?.currency ?? null;
  const { facts, orderAt, productAt } = factsHead(datasetId, currency, customerRows, productRows, orderRows);

  const total =
    (db.select({ n: count() }).from(lineRows).where(eq(lineRows.datasetId, datasetId)).get()?.n ?? 0) +
    (pending?.lineCount ?? 0);
  const lines = {
    n: total,
    order: new Int32Array(total),
    product: new Int32Array(total),
    quantity: new Float64Array(total),
    amount: new Float64Array(total),
  };
  let k = 0;
  const stored = sqlite
    .prepare("SELECT order_id, product_id, quantity, amount FROM lines WHERE dataset_id = ?")
    .raw()
    .iterate(datasetId) as IterableIterator<[number, number | null, number, number]>;
  for (const [orderId, productId, quantity, amount] of pending ? chain(stored, pending.lines()) : stored) {
    lines.order[k] = orderAt(orderId);
    lines.product[k] = productId === null ? -1 : productAt(productId);
    lines.quantity[k] = quantity;
    lines.amount[k] = amount;
    k++;
  }
  return { ...facts, lines };
}

/**
 * The facts of a data set an import has just read (its orders, products and customers in memory, before they are
 * written), without the lines: the import writes the column file from them and its spooled lines (snapshot.server.ts)
 * so that the next process need not read SQLite. The same columns loadFacts would give once the import is stored.
 */
export function importedFactsHead(
  datasetId: number,
  imported: { customers: Iterable<CustomerFacts>; orders: Iterable<OrderFacts>; products: Iterable<ProductFacts> },
): FactsHead {
  const products = Array.from(imported.products, productRow).sort((a, b) => a[0] - b[0]);
  const orders = Array.from(imported.orders, orderRow).sort((a, b) => a[0] - b[0]);
  return factsHead(datasetId, null, customerRowsOf(imported.customers), products, orders);
}

type CustomerRow = [string, string | null, string];
type ProductRow = [number, string, string | null, number];
type OrderRow = [number, string, string | null, string | null, string, number];
const productRow = (p: ProductFacts): ProductRow => [p.id, p.stockCode, p.description, p.nonMerchandise ? 1 : 0];
const orderRow = (o: OrderFacts): OrderRow => [o.id, o.kind, o.customerId, o.country, o.at, o.amount];
const customerRowsOf = (customers: Iterable<CustomerFacts>): CustomerRow[] =>
  sortByCodePoint(
    Array.from(customers, (c): CustomerRow => [c.customerId, c.country, c.firstAt]),
    (c) => c[0],
  ); // as `ORDER BY customer_id` gives them

/** A data set's facts but its lines, and where a line's order and product ids are in them (-1: none). */
export type FactsHead = {
  facts: Omit<Facts, "lines">;
  orderAt: (orderId: number) => number;
  productAt: (productId: number) => number;
};

/** The columns of customers (in customer id order), products and orders (in id order), from their rows. */
function factsHead(
  datasetId: number,
  currency: string | null,
  customerRows: CustomerRow[],
  productRows: ProductRow[],
  orderRows: OrderRow[],
): FactsHead {
  const countries: string[] = [];
  const countryIndex = new Map<string, number>();
  const country = (name: string | null) => {
    if (name === null) return -1;
    let i = countryIndex.get(name);
    if (i === undefined) {
      i = countries.length;
      countries.push(name);
      countryIndex.set(name, i);
    }
    return i;
  };

  const customerIndex = new BigMap<string, number>();
  const customers = {
    ids: [] as string[],
    country: new Int32Array(customerRows.length),
    firstSaleDay: new Int32Array(customerRows.length),
    firstSaleMonth: new Int32Array(customerRows.length),
  };
  customerRows.forEach(([id, c, first], i) => {
    customerIndex.set(id, i);
    customers.ids.push(id);
    customers.country[i] = country(c);
    customers.firstSaleDay[i] = dayNumber(first);
    customers.firstSaleMonth[i] = +first.slice(0, 4) * 12 + +first.slice(5, 7) - 1;
  });

  const productIndex = new Map<number, number>();
  const products = {
    code: [] as string[],
    description: [] as (string | null)[],
    nonMerchandise: new Uint8Array(productRows.length),
  };
  productRows.forEach(([id, code, description, non], i) => {
    productIndex.set(id, i);
    products.code.push(code);
    products.description.push(description);
    products.nonMerchandise[i] = non;
  });

  const n = orderRows.length;
  const orders = {
    n,
    kind: new Uint8Array(n),
    customer: new Int32Array(n),
    country: new Int32Array(n),
    day: new Int32Array(n),
    month: new Int32Array(n),
    minute: new Int16Array(n),
    amount: new Float64Array(n),
  };
  // order id → position: ids of one data set are a dense range (given in file order at import), so a typed array
  // does it without V8's 2²⁴-entry Map cap and at 4 bytes per order
  const firstId = n ? orderRows[0][0] : 0;
  const orderIndex = new Int32Array(n ? orderRows[n - 1][0] - firstId + 1 : 0).fill(-1);
  let firstDay = Infinity;
  let lastDay = -Infinity;
  let lastDate = "";
  let lastDayNumber = 0;
  orderRows.forEach(([id, kind, customer, c, at, amount], i) => {
    orderIndex[id - firstId] = i;
    orders.kind[i] = kind === "sale" ? 1 : 2;
    orders.customer[i] = customer === null ? -1 : (customerIndex.get(customer) ?? -1);
    orders.country[i] = country(c);
    const date = at.slice(0, 10);
    if (date !== lastDate) {
      lastDate = date;
      lastDayNumber = dayNumber(date);
    }
    orders.day[i] = lastDayNumber;
    orders.month[i] = +at.slice(0, 4) * 12 + +at.slice(5, 7) - 1;
    orders.minute[i] = +at.slice(11, 13) * 60 + +at.slice(14, 16);
    orders.amount[i] = amount;
    if (lastDayNumber < firstDay) firstDay = lastDayNumber;
    if (lastDayNumber > lastDay) lastDay = lastDayNumber;
  });
  if (n === 0) firstDay = lastDay = 0;
  return {
    facts: { datasetId, currency, firstDay, lastDay, countries, customers, products, orders },
    orderAt: (id) => {
      const at = id - firstId;
      return at >= 0 && at < orderIndex.length ? orderIndex[at] : -1;
    },
    productAt: (id) => productIndex.get(id) ?? -1,
  };
}

function* chain<T>(a: Iterable<T>, b: Iterable<T>): Generator<T> {
  yield* a;
  yield* b;
}
