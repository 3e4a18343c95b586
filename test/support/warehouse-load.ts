import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CsvReader, type CsvRecord } from "~/ingest/csv";
import { parseDate, type DateFormat } from "~/ingest/dates";
import { IncrementalDecoder } from "~/ingest/encoding";
import { parseMilli } from "~/ingest/money";
import type { WarehouseField, WarehouseSource } from "~/types/warehouse";
import type { TestCluster } from "./postgres";

// Loads a CSV raw into a warehouse table of another layout (issue 17's equality suite): other column names, another
// order, typed columns. A value the column's type cannot hold (an unreadable date or number) is stored as NULL, as a
// warehouse would have it; text stays as written (untrimmed, customer ids like 13085.0 included).

export type ColumnSpec = {
  /** The warehouse column's name. */
  name: string;
  /** The CSV header it is loaded from. */
  from: string;
  type: "text" | "integer" | "numeric" | "timestamp" | "date" | "double precision";
  /** The field it maps to (left out: a column the mapping ignores). */
  field?: WarehouseField;
};

export type TableSpec = { table: string; columns: ColumnSpec[]; dateFormat: DateFormat };

const WHOLE = /^\s*[+-]?\d{1,9}\s*$/;

function convert(value: string, spec: ColumnSpec, dateFormat: DateFormat): string | null {
  switch (spec.type) {
    case "text":
      return value;
    case "integer":
      return WHOLE.test(value) ? String(Number(value)) : null;
    case "numeric":
      return parseMilli(value.trim()).ok ? value.trim() : null;
    case "double precision":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? String(Number(value)) : null;
    case "timestamp":
      return parseDate(value.trim(), dateFormat);
    case "date":
      return parseDate(value.trim(), dateFormat)?.slice(0, 10) ?? null;
  }
}

/** COPY text format: \N for NULL, backslash escapes for the separators. */
const copyValue = (v: string | null) =>
  v === null ? "\\N" : v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

/** Creates the table (and its schema), loads the CSV into it, and returns the source mapping its columns. */
export function loadCsvTable(pg: TestCluster, csvPath: string, spec: TableSpec): WarehouseSource {
  const decoder = new IncrementalDecoder();
  const reader = new CsvReader();
  const records: CsvRecord[] = [];
  const text = decoder.decode(readFileSync(csvPath)) + decoder.end();
  reader.push(
    text,
    true,
    (r) => records.push(r),
    () => {
      throw new Error(`${csvPath}: a line the CSV reader refuses cannot be loaded`);
    },
  );
  const header = records.shift()!.fields.map((h) => h.replace(/^\uFEFF/, ""));
  const index = spec.columns.map((c) => {
    const i = header.indexOf(c.from);
    if (i < 0) throw new Error(`${csvPath} has no column ${c.from}`);
    return i;
  });
  const tsv = records
    .filter((r) => r.fields.length === header.length)
    .map((r) => spec.columns.map((c, k) => copyValue(convert(r.fields[index[k]], c, spec.dateFormat))).join("\t"))
    .join("\n");
  const file = path.join(tmpdir(), `cl-wh-${process.pid}-${Date.now()}.tsv`);
  writeFileSync(file, tsv + "\n");
  const [schema] = spec.table.split(".");
  const columns = spec.columns.map((c) => `"${c.name}" ${c.type}`).join(", ");
  try {
    pg.psql(
      `CREATE SCHEMA IF NOT EXISTS ${schema}; DROP TABLE IF EXISTS ${spec.table}; CREATE TABLE ${spec.table} (${columns});\n` +
        `\\copy ${spec.table} (${spec.columns.map((c) => `"${c.name}"`).join(", ")}) FROM '${file}'\nANALYZE ${spec.table};\n`,
    );
  } finally {
    rmSync(file, { force: true });
  }
  const map: WarehouseSource["map"] = {};
  for (const c of spec.columns) if (c.field) map[c.field] = c.name;
  return { table: spec.table, map };
}

/** The Online Retail layout as a warehouse would keep it: other names and order, typed columns. */
export const ONLINE_RETAIL_TABLE = (table: string, customerType: ColumnSpec["type"] = "text"): TableSpec => ({
  table,
  dateFormat: "M/D/YYYY H:MM",
  columns: [
    { name: "market", from: "Country", type: "text", field: "country" },
    { name: "placed_at", from: "InvoiceDate", type: "timestamp", field: "date" },
    { name: "buyer", from: "CustomerID", type: customerType, field: "customer" },
    { name: "Order No", from: "InvoiceNo", type: "text", field: "invoice" },
    { name: "sku", from: "StockCode", type: "text", field: "product" },
    { name: "units", from: "Quantity", type: "integer", field: "quantity" },
    { name: "unit_price", from: "UnitPrice", type: "numeric", field: "price" },
    { name: "item", from: "Description", type: "text", field: "description" },
  ],
});
