import type { TestCluster } from "./postgres";

// A shop's transaction lines as a warehouse keeps them (issue 17): a typed PostgreSQL table with its own column
// names (snake_case, a timestamp, numeric prices), loaded from an Online Retail layout CSV with psql's \copy.

/** The mapping of such a table, as `--map` takes it. */
export const SHOP_MAP = [
  "invoice=invoice_no",
  "product=stock_code",
  "description=item",
  "quantity=qty",
  "date=invoiced_at",
  "price=unit_price",
  "customer=customer_no",
  "country=country",
];

export const SHOP_COLUMNS =
  "invoice_no text, stock_code text, item text, qty integer, invoiced_at timestamp, unit_price numeric(12,3), customer_no text, country text";

/** Creates `table` (schema included) and loads the CSV into it; dates as M/D/YYYY H:MM (DateStyle MDY); the demo file is WIN1252. */
export function loadShop(pg: TestCluster, table: string, csv: string, encoding = "UTF8"): void {
  const schema = table.includes(".") ? table.split(".")[0] : null;
  pg.psql(
    `${schema ? `CREATE SCHEMA IF NOT EXISTS ${schema};\n` : ""}CREATE TABLE ${table} (${SHOP_COLUMNS});
SET datestyle = 'ISO, MDY';
\\copy ${table} FROM '${csv}' WITH (FORMAT csv, HEADER true, ENCODING '${encoding}')
`,
  );
}

/** Every table of a SQLite file with all its rows, to show that a refused command changed nothing. */
export function everyTable(db: { $client: { prepare: (sql: string) => { all: () => unknown[] } } }) {
  const tables = (
    db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((t) => t.name);
  return Object.fromEntries(
    tables.map((t) => [t, JSON.stringify(db.$client.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all())]),
  );
}
