import { quoteIdent, quoteTable } from "~/lib/sql-names";
import type { ImportReport } from "~/types/import";
import type { CleanedFigure, WarehouseField, WarehouseQuery, WarehouseRow, WarehouseSource } from "~/types/warehouse";
import { plausibleDates } from "./dates";
import { milliToMoney } from "./money";

// The cleaning policy of PRODUCT.md §1 as SQL over a warehouse table's mapped columns (issue 17), for every figure's
// query to start from. The same rules as rules.ts and the pipeline's classify(), in the same order:
//   1. rejected: a required value missing (date, invoice when mapped, quantity, price or amount), a fractional
//      quantity, money with more than 3 decimals, a date outside the plausible range;
//   2. exact duplicates (every mapped column equal) dropped, only when an invoice column is mapped;
//   3. invoices starting with C: returns;  4. invoices starting with A: adjustments, invalid;
//      sales: quantity > 0 and price > 0 (with an amount column: amount > 0);
//   5. sales without a customer id count in revenue, product and country figures only.
// Orders: a customer's lines of one invoice and kind (without an invoice column: of one timestamp). Money in exact
// thousandths (numeric), days as days since 1970-01-01 of the timestamp as written (UTC for timestamptz).
//
// Citus: every aggregate below groups by customer_id (with the invoice) before anything crosses customers, so each
// CTE runs on the shards of a table distributed by customer_id.

/** Fields a source must map, and the ones that need each other (the CSV mapping's rule, ingest/formats.ts). */
export function checkWarehouseMap(map: WarehouseSource["map"]): string | null {
  if (!map.customer) return "map the customer column (--map customer=COLUMN)";
  if (!map.date) return "map the date column (--map date=COLUMN)";
  if (!map.amount && !map.price) return "map either amount (a line total) or price (with quantity)";
  return null;
}

const col = (source: WarehouseSource, field: WarehouseField) => {
  const name = source.map[field];
  return name ? `src.${quoteIdent(name)}` : null;
};

const dayLiteral = (day: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `DATE '${day}'`;
};

// Dates as the CSV import reads them (dates.ts, PRODUCT.md §1). A date or timestamp column is read as it is
// (timestamptz: its UTC wall clock). A text column is read in the import's forms: ISO 8601 (a zone suffix ignored),
// M/D/YYYY H:MM[:SS] (month first: a warehouse has no sample to detect day-first from) or YYYYMMDD, and only for a
// real day and time; anything else is NULL, so the line is rejected and counted, as the import rejects it, instead
// of failing the query. Each pattern admits only real calendar days (leap years of 1900–2999 included), so the cast
// after it cannot fail (PostgreSQL 15 has no error-free cast); slashed dates are reordered year first, which
// PostgreSQL reads the same under any DateStyle.
const YEAR = String.raw`(19|2\d)\d\d`;
const LEAP = String.raw`((19|2\d)(0[48]|[2468][048]|[13579][26])|2[048]00)`;
const monthDay = (sep: string, opt: string) =>
  String.raw`((${opt}[13578]|1[02])${sep}(${opt}[1-9]|[12]\d|3[01])|(${opt}[469]|11)${sep}(${opt}[1-9]|[12]\d|30)|${opt}2${sep}(${opt}[1-9]|1\d|2[0-8]))`;
const ISO_DATE = String.raw`^(${YEAR}-${monthDay("-", "0")}|${LEAP}-02-29)([ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?$`;
const COMPACT_DATE = String.raw`^(${YEAR}${monthDay("", "0")}|${LEAP}0229)$`;
const SLASHED_DATE = String.raw`^(${monthDay("/", "0?")}/${YEAR}|0?2/29/${LEAP})([ T]([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?)?$`;

function timestampOf(column: string): string {
  const t = `btrim(${column}::text)`;
  return `CASE WHEN pg_typeof(${column}) IN ('text'::regtype, 'character varying'::regtype, 'character'::regtype) THEN CASE
      WHEN ${t} ~ '${ISO_DATE}' OR ${t} ~ '${COMPACT_DATE}' THEN ${t}::timestamp
      WHEN ${t} ~ '${SLASHED_DATE}' THEN regexp_replace(${t}, '^(\\d+)/(\\d+)/(\\d+)[ T]?', '\\3-\\1-\\2 ')::timestamp END
    ELSE (${column})::timestamp END`;
}

/** Whether an order's lines are keyed by the invoice (true) or by the customer's timestamp. */
export const hasInvoice = (source: WarehouseSource) => Boolean(source.map.invoice);

/**
 * The CTEs every warehouse figure starts from, to follow `WITH`:
 * - `wh_read`: each distinct mapped line (with an invoice column) or each line, with `n` = how many table rows it
 *   stands for, its values normalised as the CSV import reads them, and `class`: 'sale', 'return', 'rejected' or the
 *   invalid reason ('accounting adjustment', 'quantity not positive', 'zero price', 'negative price');
 * - `wh_lines`: the kept lines (sales and returns) with `kind`, `customer_id`, `at`, `day`, `product`, `quantity`,
 *   `amount` (thousandths);
 * then either (orderLines) `wh_order_lines`: the kept lines with their order's key, day and country (a window over one
 *   customer's order), or (the default) the orders:
 * - `wh_orders`: orders (customer_id, kind, order_key, at, day, month, minute, country, amount, lines) with their
 *   customer's first_day, first_month (of their first sale; null for no customer or one without a sale) and
 *   customer_country (of the first sale order): windows over one customer, so that no figure joins two CTEs;
 * - `wh_customers`: customers with a sale: customer_id, first_day, first_month, country.
 *
 * A page's statement (`shared`, pageQuery) has both the orders and the order lines, and keeps the orders MATERIALIZED:
 * each figure reads them, and the table is cleaned once. With `onlyCustomer`, only the lines that decide that customer's
 * orders are read (the customer page): that customer's rows of the CTEs are those of the whole table.
 */
export function cleanCtes(
  source: WarehouseSource,
  {
    orderLines = false,
    shared = false,
    onlyCustomer,
  }: { orderLines?: boolean; shared?: boolean; onlyCustomer?: string } = {},
): string {
  const problem = checkWarehouseMap(source.map);
  if (problem) throw new Error(problem);
  const table = quoteTable(source.table);
  const mapped = [...new Set(Object.values(source.map).filter((c): c is string => Boolean(c)))];
  const raw = mapped.map((c) => `src.${quoteIdent(c)}`);
  const invoice = col(source, "invoice");
  const customer = col(source, "customer")!;
  const date = col(source, "date")!;
  const quantity = col(source, "quantity");
  const price = col(source, "price");
  const amount = col(source, "amount");
  const product = col(source, "product");
  const description = col(source, "description");
  const country = col(source, "country");
  const range = plausibleDates();
  const text = (e: string | null) => (e ? `NULLIF(btrim(${e}::text), '')` : "NULL::text");
  const qty = quantity ? `(${quantity})::numeric` : "1::numeric";
  const priceMilli = price && !amount ? `((${price})::numeric * 1000)` : "NULL::numeric";
  const amountMilli = amount ? `((${amount})::numeric * 1000)` : `(${qty} * ((${price})::numeric * 1000))`;
  // Online Retail II writes customer ids as 13085.0 (rules.ts normaliseCustomer)
  const trimmed = `btrim(${customer}::text)`;
  const customerId = `NULLIF(CASE WHEN strpos(${trimmed}, '.') > 0 THEN regexp_replace(${trimmed}, '^([0-9]+)\\.0+$', '\\1') ELSE ${trimmed} END, '')`;
  const productKey = `COALESCE(${text(product)}, ${text(description)})`;
  const at = timestampOf(date);
  const values = `${invoice ? `btrim(${invoice}::text)` : "NULL::text"} AS invoice,
    ${customerId} AS customer_id,
    ${at} AS at,
    ${qty} AS quantity,
    ${priceMilli} AS price_milli,
    ${amountMilli} AS amount_milli,
    ${productKey} AS product,
    ${text(description)} AS description,
    ${text(country)} AS country`;
  // The class of a line, as one CASE over the raw columns. Its tests are reduced to the mapping: with a price column,
  // quantity and price in whole thousandths make the amount whole, and with quantity > 0 the amount's sign is the
  // price's, so the amount (quantity × price) is never computed to classify a line.
  const invoiceText = invoice ? `btrim(${invoice}::text)` : null;
  const money = price && !amount ? priceMilli : amountMilli;
  const classOf = `CASE
    WHEN ${at} IS NULL OR ${qty} IS NULL OR ${money} IS NULL${invoiceText ? ` OR ${invoiceText} IS NULL OR ${invoiceText} = ''` : ""}
      OR ${qty} <> trunc(${qty}) OR ${money} <> trunc(${money})
      OR ${at} < ${dayLiteral(range.from)} OR ${at} >= ${dayLiteral(range.to)} + 1 THEN 'rejected'
    ${
      invoiceText
        ? `WHEN left(${invoiceText}, 1) IN ('C', 'c') THEN 'return'\n    WHEN left(${invoiceText}, 1) IN ('A', ` +
          `'a') THEN 'accounting adjustment'`
        : ""
    }
    WHEN ${qty} <= 0 THEN 'quantity not positive'
    WHEN ${money} <= 0 THEN CASE WHEN ${money} = 0 THEN 'zero price' ELSE 'negative price' END
    ELSE 'sale' END`;
  // dedup: a GROUP BY over every mapped column, which includes customer_id (pushed down to each Citus shard). The
  // class is an aggregate (min over identical lines), so the figures' filter on it is a HAVING on that one aggregate,
  // computed once per line, instead of the CASE expanded over the value expressions and evaluated again for the output
  // (issue 17: that re-evaluation was most of a figure's time). Values are computed once per distinct line.
  // `onlyCustomer` (a parameter such as $1): only the lines that decide that customer's orders. An order is made of one
  // invoice's lines and belongs to one of the customers they name, and duplicates repeat a line of the same invoice,
  // so the invoices with a line naming the customer hold every line their orders need; without an invoice column an
  // order is the customer's own lines of one timestamp.
  const only = !onlyCustomer
    ? ""
    : invoice
      ? ` WHERE btrim(${invoice}::text) IN (SELECT btrim(${invoice}::text) FROM ${table} AS src WHERE ${customerId} = ${onlyCustomer})`
      : ` WHERE ${customerId} = ${onlyCustomer}`;
  const distinct = invoice
    ? `SELECT count(*) AS n, min(${classOf}) AS class, ${values} FROM ${table} AS src${only} GROUP BY ${raw.join(", ")}`
    : `SELECT 1 AS n, ${classOf} AS class, ${values} FROM ${table} AS src${only}`;
  // An order (the CSV import's rule, pipeline.ts): with an invoice column, all the lines of one invoice and kind, whoever
  // they name. Its time is its earliest line's, its country that line's (ties: the smallest name; a table has no line
  // order), its customer the earliest line's that names one (ties: the smallest id), as the import takes the first in
  // file order. The lines are first grouped by customer and invoice (wh_order_parts: on each Citus shard), then the
  // parts of one invoice, one row per customer, into the order; an invoice naming two customers is one order.
  // Without an invoice column: a customer's lines of one timestamp.
  const orderGroups = invoice
    ? `wh_order_parts AS (
  SELECT l.customer_id, l.kind, l.invoice, min(l.at) AS at, min(ARRAY[to_char(l.at, 'YYYY-MM-DD HH24:MI:SS.US'), l.country]) AS earliest,
    sum(l.amount) AS amount, count(*) AS lines
  FROM wh_lines AS l GROUP BY l.customer_id, l.kind, l.invoice
),
wh_order_groups AS (
  SELECT (array_agg(p.customer_id ORDER BY p.customer_id IS NULL, p.at, p.customer_id))[1] AS customer_id, p.kind,
    p.invoice AS order_key, min(p.at) AS at,
    (min(p.at)::date - DATE '1970-01-01') AS day,
    (extract(year FROM min(p.at))::int * 12 + extract(month FROM min(p.at))::int - 1) AS month,
    (extract(hour FROM min(p.at))::int * 60 + extract(minute FROM min(p.at))::int) AS minute,
    (min(p.earliest))[2] AS country, sum(p.amount) AS amount, sum(p.lines) AS lines
  FROM wh_order_parts AS p GROUP BY p.kind, p.invoice
)`
    : `wh_order_groups AS (
  SELECT l.customer_id, l.kind, l.at::text AS order_key, min(l.at) AS at,
    (min(l.at)::date - DATE '1970-01-01') AS day,
    (extract(year FROM min(l.at))::int * 12 + extract(month FROM min(l.at))::int - 1) AS month,
    (extract(hour FROM min(l.at))::int * 60 + extract(minute FROM min(l.at))::int) AS minute,
    min(l.country) AS country, sum(l.amount) AS amount, count(*) AS lines
  FROM wh_lines AS l GROUP BY l.customer_id, l.kind, l.at
)`;
  // The kept lines with their order's key, customer, day and country. With an invoice column, joined to their order
  // (an invoice's lines may name two customers: Citus sends the orders to the shards); without, a window over one
  // customer's lines of one timestamp, so PostgreSQL reads wh_lines once and copies no line (issue 17).
  const orderLinesCte = invoice
    ? `wh_order_lines AS (
  SELECT l.kind, l.invoice, g.customer_id, l.at, l.day, l.product, l.description, l.country, l.quantity, l.amount,
    g.order_key, g.day AS order_day, g.country AS order_country
  FROM wh_lines AS l JOIN wh_order_groups AS g ON g.kind = l.kind AND g.order_key = l.invoice
)`
    : `wh_order_lines AS (
  SELECT l.*, l.at::text AS order_key,
    (min(l.at) OVER o)::date - DATE '1970-01-01' AS order_day, min(l.country) OVER o AS order_country
  FROM wh_lines AS l WINDOW o AS (PARTITION BY l.customer_id, l.kind, l.at)
)`;
  const ordersCtes = `wh_orders AS ${shared ? "MATERIALIZED " : ""}(
  SELECT g.*,
    min(g.day) FILTER (WHERE g.kind = 'sale' AND g.customer_id IS NOT NULL) OVER c AS first_day,
    min(g.month) FILTER (WHERE g.kind = 'sale' AND g.customer_id IS NOT NULL) OVER c AS first_month,
    first_value(g.country) OVER (PARTITION BY g.customer_id ORDER BY g.kind <> 'sale', g.at, g.country
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS customer_country
  FROM wh_order_groups AS g WINDOW c AS (PARTITION BY g.customer_id)
),
wh_customers AS (
  SELECT o.customer_id, min(o.first_day) AS first_day, min(o.first_month) AS first_month,
    min(o.customer_country) AS country
  FROM wh_orders AS o WHERE o.first_day IS NOT NULL GROUP BY o.customer_id
)`;
  return `wh_read AS (${distinct}),
wh_lines AS (
  SELECT r.class AS kind, r.invoice, r.customer_id, r.at, (r.at::date - DATE '1970-01-01') AS day, r.product,
    r.description, r.country, r.quantity, r.amount_milli AS amount
  FROM wh_read AS r WHERE r.class IN ('sale', 'return')
),
${orderGroups},
${[...(orderLines ? [orderLinesCte] : []), ...(orderLines && !shared ? [] : [ordersCtes])].join(",\n")}`;
}

/** A figure's query over the cleaned lines: the cleaning CTEs, then the figure's CTEs and SELECT (kept as parts). */
export function cleanedQuery<T>(
  source: WarehouseSource,
  { values, read, ...figure }: CleanedFigure & Omit<WarehouseQuery<T>, "text" | "figure">,
): WarehouseQuery<T> {
  const ctes = (figure.ctes ?? []).map((c) => `,\n${c}`).join("");
  const text = `WITH ${cleanCtes(source, { orderLines: figure.orderLines })}${ctes}\n${figure.select}`;
  return { text, values, read, figure };
}

type Results<Q> = { [K in keyof Q]: Q[K] extends WarehouseQuery<infer T> ? T : never };

/**
 * A page's figures in one statement (issue 17): the table is read and cleaned once into MATERIALIZED orders (and the
 * kept lines, when a figure reads lines), then each figure is a subquery over them, its rows returned as one JSON
 * column. Still one SELECT; the same figure asked twice (e.g. the KPIs of the overview and of its insights) runs once.
 * Each figure's parameters are renumbered after those of the figures before it.
 */
export function pageQuery<Q extends Record<string, WarehouseQuery<unknown>>>(
  source: WarehouseSource,
  queries: Q,
): WarehouseQuery<Results<Q>> {
  const values: unknown[] = [];
  const columns: string[] = [];
  const columnOf = new Map<string, string>();
  const byText = new Map<string, string>();
  let orderLines = false;
  for (const [name, query] of Object.entries(queries)) {
    const figure = query.figure;
    if (!figure) throw new Error(`${name} is not a figure over the cleaned lines`);
    const key = JSON.stringify([query.text, query.values]);
    let column = byText.get(key);
    if (!column) {
      column = `figure_${byText.size}`;
      byText.set(key, column);
      const offset = values.length;
      values.push(...query.values);
      const shift = (sql: string) => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      const ctes = figure.ctes?.length ? `WITH ${figure.ctes.map(shift).join(",\n")}\n` : "";
      columns.push(`(SELECT coalesce(json_agg(q), '[]') FROM (${ctes}${shift(figure.select)}) AS q) AS ${column}`);
      orderLines ||= Boolean(figure.orderLines);
    }
    columnOf.set(name, column);
  }
  return {
    text: `WITH ${cleanCtes(source, { orderLines, shared: true })}\nSELECT ${columns.join(",\n  ")}`,
    values,
    read: (rows) =>
      Object.fromEntries(
        Object.entries(queries).map(([name, q]) => [name, q.read(rows[0][columnOf.get(name)!] as WarehouseRow[])]),
      ) as Results<Q>,
  };
}

/** SQL for "this product code is non-merchandise" (rules.ts isNonMerchandise: postage, fees, vouchers…). */
export const NON_MERCHANDISE_SQL = (product: string) =>
  `(upper(${product}) IN ('POST', 'DOT', 'C2', 'M', 'D', 'S', 'B', 'CRUK', 'PADS', 'AMAZONFEE', 'BANK CHARGES') OR ${product} ~* '^gift_')`;

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The counts of the import report for a warehouse data set (no file, no timings); money in currency units. */
export type WarehouseCleanReport = Omit<
  ImportReport,
  | "dataset"
  | "fileName"
  | "bytes"
  | "contentHash"
  | "encoding"
  | "format"
  | "dateFormat"
  | "header"
  | "rejectedExamples"
  | "seconds"
  | "importedAt"
  | "until"
  | "linesAfterUntil"
>;

/**
 * Every count of the cleaning policy, as the import report gives it, in one pass over the table. The date range is
 * the orders' (an order's time is its earliest line's), as the import's is.
 */
export function cleanReportQuery(source: WarehouseSource): WarehouseQuery<WarehouseCleanReport> {
  const invoiceCount = (where: string) => `(SELECT count(*) FROM wh_orders AS l WHERE ${where})`;
  const text = `WITH ${cleanCtes(source)},
classes AS (SELECT r.class, sum(r.n) AS rows, count(*) AS kept FROM wh_read AS r GROUP BY r.class)
SELECT
  (SELECT coalesce(sum(rows), 0) FROM classes) AS lines_read,
  (SELECT coalesce(sum(rows), 0) FROM classes WHERE class = 'rejected') AS rejected,
  (SELECT coalesce(sum(rows - kept), 0) FROM classes WHERE class <> 'rejected') AS duplicates,
  (SELECT coalesce(json_object_agg(class, kept), '{}') FROM classes WHERE class NOT IN ('sale', 'return', 'rejected')) AS invalid,
  (SELECT count(*) FILTER (WHERE kind = 'return') FROM wh_lines) AS cancellation_lines,
  (SELECT coalesce(sum(-amount) FILTER (WHERE kind = 'return'), 0) FROM wh_lines) AS cancelled_value,
  (SELECT count(*) FILTER (WHERE kind = 'sale') FROM wh_lines) AS sales_lines,
  (SELECT coalesce(sum(amount) FILTER (WHERE kind = 'sale'), 0) FROM wh_lines) AS sales_revenue,
  (SELECT count(*) FILTER (WHERE kind = 'sale' AND customer_id IS NULL) FROM wh_lines) AS anonymous_lines,
  (SELECT coalesce(sum(amount) FILTER (WHERE kind = 'sale' AND customer_id IS NOT NULL), 0) FROM wh_lines) AS customer_revenue,
  (SELECT count(*) FROM wh_customers) AS customers,
  ${invoiceCount("l.kind = 'sale'")} AS invoices,
  ${invoiceCount("l.kind = 'sale' AND l.customer_id IS NOT NULL")} AS customer_invoices,
  ${invoiceCount("l.kind = 'return'")} AS cancellation_invoices,
  (SELECT count(*) FROM wh_lines AS l WHERE l.product IS NOT NULL AND ${NON_MERCHANDISE_SQL("l.product")}) AS non_merchandise,
  (SELECT count(DISTINCT country) FROM wh_orders) AS countries,
  (SELECT count(DISTINCT product) FROM wh_lines AS l WHERE l.kind = 'sale' AND l.product IS NOT NULL AND NOT ${NON_MERCHANDISE_SQL("l.product")}) AS products,
  (SELECT to_char(min(at), 'YYYY-MM-DD"T"HH24:MI:SS') FROM wh_orders) AS first_at,
  (SELECT to_char(max(at), 'YYYY-MM-DD"T"HH24:MI:SS') FROM wh_orders) AS last_at`;
  return {
    text,
    values: [],
    read: (rows: WarehouseRow[]) => {
      const r = rows[0];
      const invalidReasons = (r.invalid ?? {}) as Record<string, number>;
      const salesLines = num(r.sales_lines);
      const anonymous = num(r.anonymous_lines);
      return {
        linesRead: num(r.lines_read),
        rejectedLines: num(r.rejected),
        duplicateLines: num(r.duplicates),
        cancellationLines: num(r.cancellation_lines),
        invalidLines: Object.values(invalidReasons).reduce((s, v) => s + Number(v), 0),
        invalidReasons: Object.fromEntries(Object.entries(invalidReasons).map(([k, v]) => [k, Number(v)])),
        salesLines,
        salesRevenue: milliToMoney(num(r.sales_revenue)),
        salesLinesWithoutCustomer: anonymous,
        customerSalesLines: salesLines - anonymous,
        customerRevenue: milliToMoney(num(r.customer_revenue)),
        customers: num(r.customers),
        invoices: num(r.invoices),
        customerInvoices: num(r.customer_invoices),
        cancellationInvoices: num(r.cancellation_invoices),
        cancelledValue: milliToMoney(num(r.cancelled_value)),
        nonMerchandiseLines: num(r.non_merchandise),
        countries: num(r.countries),
        products: num(r.products),
        dateRange: r.first_at ? [String(r.first_at), String(r.last_at)] : null,
      };
    },
  };
}
