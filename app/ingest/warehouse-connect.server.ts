import { performance } from "node:perf_hooks";
import type { Db } from "~/db/db.server";
import { Warehouse } from "~/db/warehouse.server";
import { checkDatasetName, warehouseConnection, type NewWarehouseDataset } from "~/db/warehouse-sources.server";
import { AppError } from "~/lib/errors";
import { defaultCurrency } from "~/lib/currency";
import { parseTableName, quoteIdent, quoteTable } from "~/lib/sql-names";
import type { CustomerFacts, ImportReport } from "~/types/import";
import type { WarehouseProgress, WarehouseQuery, WarehouseRow, WarehouseSource } from "~/types/warehouse";
import { FIELDS, resolveLayout, type ColumnMap, type Field } from "./formats";
import { customerFactsQuery } from "./warehouse-customers-sql";
import { cleanReportQuery } from "./warehouse-sql";

// Connecting a PostgreSQL table of transaction lines as a data set (issue 17): check the connection, read the table's
// columns, resolve the mapping as a CSV's (a table named like Online Retail needs none), show a preview, and compute
// the cleaning report in the warehouse. Nothing is written to SQLite until every check has passed; only SELECTs reach
// the user's table.

export type WarehouseRequest = {
  url: string;
  table: string;
  map?: ColumnMap;
  name?: string;
  assignmentsSchema?: string | null;
  currency?: string | null;
};

export type WarehousePreview = {
  maskedUrl: string;
  serverVersion: string;
  table: string;
  columns: string[];
  format: ImportReport["format"];
  /** field → the table's column it is read from (after the layout is recognised or the mapping applied). */
  map: Partial<Record<Field, string>>;
  /** The first rows as the mapping reads them: one value per mapped field, as text. */
  rows: Record<string, string | null>[];
  /** Why the table cannot be connected as mapped (a column missing, a required field unmapped, no rows), or null. */
  problem: string | null;
};

const PREVIEW_ROWS = 10;

/** Resolves the mapping against the table's columns: a mapped column the table lacks is named, with the table's columns. */
function resolveMap(table: string, columns: string[], map: ColumnMap | undefined) {
  const given = Object.entries(map ?? {}).filter(([, c]) => c) as [Field, string][];
  for (const [field, column] of given) {
    if (!FIELDS.includes(field)) throw new AppError(`map: unknown field "${field}" (fields: ${FIELDS.join(", ")})`);
    if (!columns.includes(column) && !columns.some((c) => c.toLowerCase() === column.toLowerCase()))
      throw new AppError(
        `map: the column "${column}" mapped to ${field} is not in ${table} (its columns: ${columns.join(", ")})`,
      );
  }
  let layout;
  try {
    layout = resolveLayout(columns, given.length ? Object.fromEntries(given) : undefined);
  } catch (err) {
    throw new AppError(`map: ${(err as Error).message.replace(/file's header/g, "table")}`);
  }
  const resolved: Partial<Record<Field, string>> = {};
  for (const [field, i] of Object.entries(layout.index)) resolved[field as Field] = columns[i!];
  return { format: layout.format, map: resolved };
}

function previewQuery(source: WarehouseSource, limit: number): WarehouseQuery<Record<string, string | null>[]> {
  const fields = Object.entries(source.map).filter(([, c]) => c) as [Field, string][];
  return {
    text: `SELECT ${fields.map(([f, c]) => `${quoteIdent(c)}::text AS ${quoteIdent(f)}`).join(", ")} FROM ${quoteTable(source.table)} LIMIT ${limit}`,
    values: [],
    read: (rows: WarehouseRow[]) =>
      rows.map((r) => Object.fromEntries(fields.map(([f]) => [f, r[f] === null ? null : String(r[f])]))),
  };
}

/** Checks the table name's form before anything is sent (the client quotes it; a name it cannot read is refused). */
function checkTable(table: string): string {
  const t = table.trim();
  if (!t) throw new AppError("orders: name the table or view of transaction lines (schema.table)");
  if (!parseTableName(t))
    throw new AppError(`orders: "${t}" is not a table name (write schema.table, double-quoting parts as needed)`);
  return t;
}

function checkSchema(schema: string | null | undefined): string | null {
  const s = schema?.trim();
  if (!s) return null;
  const parts = parseTableName(s);
  if (!parts || parts.length !== 1) throw new AppError(`assignments schema: "${s}" is not a schema name`);
  return s;
}

async function inspect(warehouse: Warehouse, request: WarehouseRequest, rows: number) {
  const table = checkTable(request.table);
  const { serverVersion } = await warehouse.check();
  const columns = await warehouse.columns(table);
  const { format, map } = resolveMap(table, columns, request.map);
  const source: WarehouseSource = { table, map };
  const preview = await warehouse.run(previewQuery(source, rows));
  if (preview.length === 0) throw new AppError(`orders: the table ${table} has no rows: nothing to read`);
  return { serverVersion, columns, format, source, preview };
}

/**
 * Connects and reads the table's columns and its first rows as the mapping reads them; nothing is stored. A mapping
 * that does not fit the table (or none, for a table not named like Online Retail) comes back as `problem`, with the
 * columns, so that the form can offer them.
 */
export async function previewWarehouse(request: WarehouseRequest): Promise<WarehousePreview> {
  const warehouse = new Warehouse(request.url);
  try {
    const table = checkTable(request.table);
    const { serverVersion } = await warehouse.check();
    const columns = await warehouse.columns(table);
    const head = { maskedUrl: warehouse.maskedUrl, serverVersion, table, columns };
    let resolved;
    try {
      resolved = resolveMap(table, columns, request.map);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { ...head, format: "mapped", map: {}, rows: [], problem: err.message };
    }
    const rows = await warehouse.run(previewQuery({ table, map: resolved.map }, PREVIEW_ROWS));
    return {
      ...head,
      format: resolved.format,
      map: resolved.map,
      rows,
      problem: rows.length ? null : `orders: the table ${table} has no rows: nothing to read`,
    };
  } finally {
    await warehouse.close();
  }
}

async function cleaningReport(
  warehouse: Warehouse,
  source: WarehouseSource,
  head: { name: string; format: ImportReport["format"]; columns: string[]; started: number },
): Promise<ImportReport> {
  const counts = await warehouse.run(cleanReportQuery(source));
  if (counts.linesRead === 0) throw new AppError(`orders: the table ${source.table} has no rows: nothing to read`);
  if (counts.dateRange === null)
    throw new AppError(`orders: no line of ${source.table} is a sale or a return after cleaning (see the mapping)`);
  const seconds = (performance.now() - head.started) / 1000;
  return {
    ...counts,
    dataset: head.name,
    fileName: source.table,
    bytes: 0,
    contentHash: "",
    encoding: "utf-8",
    format: head.format,
    dateFormat: "timestamp",
    header: head.columns,
    rejectedExamples: [],
    seconds: { parse: 0, clean: seconds, store: 0, derive: 0, total: seconds },
    importedAt: new Date().toISOString(),
  };
}

/** What connecting a table read, before anything is stored: the data set to add and the preview shown. */
export type WarehouseConnection = {
  dataset: NewWarehouseDataset;
  preview: WarehousePreview;
};

/**
 * Reads what a new warehouse data set needs, storing nothing: every check first (URL, credentials, table, mapped
 * columns, rows), then the cleaning report and the customers computed in PostgreSQL. app/derive adds segments and
 * stores it all in one SQLite transaction (addWarehouseDataset).
 */
export async function readNewWarehouse(
  db: Db,
  request: WarehouseRequest,
  onProgress: (p: WarehouseProgress) => void = () => {},
): Promise<WarehouseConnection> {
  const started = performance.now();
  const name = (request.name ?? request.table).trim();
  checkDatasetName(db, name);
  const assignmentsSchema = checkSchema(request.assignmentsSchema);
  const warehouse = new Warehouse(request.url);
  try {
    onProgress({ stage: "connecting" });
    const { serverVersion, columns, format, source, preview } = await inspect(warehouse, request, PREVIEW_ROWS);
    onProgress({ stage: "report" });
    const report = await cleaningReport(warehouse, source, { name, format, columns, started });
    onProgress({ stage: "customers" });
    const customers = await warehouse.run(customerFactsQuery(source));
    return {
      dataset: {
        customers,
        name,
        url: request.url.trim(),
        source,
        assignmentsSchema,
        currency: request.currency === undefined ? defaultCurrency(format) : request.currency,
        report,
      },
      preview: {
        maskedUrl: warehouse.maskedUrl,
        serverVersion,
        table: source.table,
        columns,
        format,
        map: source.map,
        rows: preview,
        problem: null,
      },
    };
  } finally {
    await warehouse.close();
  }
}

/** A warehouse data set's table read again (new rows, corrections), storing nothing: app/derive stores it all at once. */
export type WarehouseReread = {
  url: string;
  source: WarehouseSource;
  report: ImportReport;
  customers: CustomerFacts[];
};

/**
 * Reads a warehouse data set's table again: the connection checked, the mapped columns still there, then a new
 * cleaning report and customers computed in PostgreSQL. Nothing is written (rereadWarehouseDataset writes it).
 */
export async function readWarehouseAgain(
  db: Db,
  datasetId: number,
  onProgress: (p: WarehouseProgress) => void = () => {},
): Promise<WarehouseReread> {
  const started = performance.now();
  const connection = warehouseConnection(db, datasetId);
  if (!connection) throw new AppError(`No warehouse data set ${datasetId}`, "not-found");
  const warehouse = new Warehouse(connection.url);
  try {
    onProgress({ stage: "connecting" });
    const columns = await warehouse.columns(connection.source.table);
    const missing = Object.entries(connection.source.map).filter(([, c]) => c && !columns.includes(c));
    if (missing.length)
      throw new AppError(
        `the table ${connection.source.table} no longer has ${missing.map(([f, c]) => `"${c}" (${f})`).join(", ")}`,
      );
    onProgress({ stage: "report" });
    const report = await cleaningReport(warehouse, connection.source, {
      name: "",
      format: "mapped",
      columns,
      started,
    });
    onProgress({ stage: "customers" });
    const customers = await warehouse.run(customerFactsQuery(connection.source));
    return { url: connection.url, source: connection.source, report, customers };
  } finally {
    await warehouse.close();
  }
}
