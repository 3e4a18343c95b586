// The known file layouts and the column mapping for any other CSV (PRODUCT.md §1).
import { AppError } from "~/lib/errors";
import { quote } from "./csv";
import type { FormatName } from "~/types/import";

export const FIELDS = [
  "customer",
  "invoice",
  "date",
  "quantity",
  "price",
  "amount",
  "product",
  "description",
  "country",
] as const;
export type Field = (typeof FIELDS)[number];
export type ColumnMap = Partial<Record<Field, string>>;
export type { FormatName } from "~/types/import";

const LAYOUTS: { name: Exclude<FormatName, "mapped">; map: Required<Omit<ColumnMap, "amount">> }[] = [
  {
    name: "online-retail", // Kaggle "E-Commerce Data" data.csv / UCI 352
    map: {
      invoice: "InvoiceNo",
      product: "StockCode",
      description: "Description",
      quantity: "Quantity",
      date: "InvoiceDate",
      price: "UnitPrice",
      customer: "CustomerID",
      country: "Country",
    },
  },
  {
    name: "online-retail-ii", // UCI 502
    map: {
      invoice: "Invoice",
      product: "StockCode",
      description: "Description",
      quantity: "Quantity",
      date: "InvoiceDate",
      price: "Price",
      customer: "Customer ID",
      country: "Country",
    },
  },
];

export const FORMAT_LABELS: Record<FormatName, string> = {
  "online-retail": "Online Retail (UCI 352 / Kaggle data.csv)",
  "online-retail-ii": "Online Retail II (UCI 502)",
  mapped: "Mapped columns",
};

const norm = (s: string) => s.trim().toLowerCase();

/** Column indexes of each field in the file's header. */
export type Layout = { format: FormatName; index: Partial<Record<Field, number>>; header: string[] };

export class FormatError extends AppError {}

/** Recognises a known layout from the header, or applies the user's mapping; throws a FormatError naming the problem. */
export function resolveLayout(header: string[], map?: ColumnMap): Layout {
  const lookup = new Map<string, number>();
  const twice = new Map<string, [number, number]>();
  header.forEach((h, i) => {
    const key = norm(h);
    const first = lookup.get(key);
    if (first !== undefined && key !== "" && !twice.has(key)) twice.set(key, [first, i]);
    if (first === undefined) lookup.set(key, i);
  });
  // a column named twice (two "Country" columns) would be read from one of them silently: refused, naming both
  const refuseTwice = (columns: Iterable<string>) => {
    for (const column of columns) {
      const pair = twice.get(norm(column));
      if (pair)
        throw new FormatError(
          `The column "${quote(header[pair[0]].trim(), 60)}" appears twice (columns ${pair[0] + 1} and ` +
            `${pair[1] + 1}): remove or rename one, then import again`,
        );
    }
  };
  if (map && Object.keys(map).length > 0) {
    refuseTwice(Object.values(map).filter((c): c is string => typeof c === "string"));
    return mappedLayout(header, lookup, map);
  }
  for (const layout of LAYOUTS) {
    const index: Partial<Record<Field, number>> = {};
    let all = true;
    for (const [field, column] of Object.entries(layout.map)) {
      const i = lookup.get(norm(column));
      if (i === undefined) {
        all = false;
        break;
      }
      index[field as Field] = i;
    }
    if (all) {
      refuseTwice(Object.values(layout.map));
      return { format: layout.name, index, header };
    }
  }
  throw new FormatError(
    `Unrecognised columns (${quote(header.map((h) => h.trim()).join(", "))}): this is neither the Online Retail nor the Online Retail II layout; ` +
      `give a column mapping (fields: ${FIELDS.join(", ")}; customer, date and amount or quantity + price are required)`,
  );
}

function mappedLayout(header: string[], lookup: Map<string, number>, map: ColumnMap): Layout {
  const index: Partial<Record<Field, number>> = {};
  for (const [field, column] of Object.entries(map)) {
    if (!FIELDS.includes(field as Field))
      throw new FormatError(`Unknown field "${field}" in the mapping (fields: ${FIELDS.join(", ")})`);
    if (column === undefined || column === "") continue;
    const i = lookup.get(norm(column));
    if (i === undefined)
      throw new FormatError(
        `Column "${column}" mapped to ${field} is not in the file's header (${quote(header.join(", "))})`,
      );
    index[field as Field] = i;
  }
  const missing: string[] = [];
  if (index.customer === undefined) missing.push("customer");
  if (index.date === undefined) missing.push("date");
  if (index.amount === undefined && index.price === undefined) missing.push("amount (or quantity + price)");
  if (missing.length) throw new FormatError(`The mapping lacks required fields: ${missing.join(", ")}`);
  return { format: "mapped", index, header };
}

/** Parses "field=column" pairs from the CLI. */
export function parseMapArgs(pairs: string[]): ColumnMap {
  const map: ColumnMap = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new FormatError(`--map expects field=column, got "${pair}"`);
    const field = pair.slice(0, eq).trim() as Field;
    if (!FIELDS.includes(field))
      throw new FormatError(`Unknown field "${field}" in --map (fields: ${FIELDS.join(", ")})`);
    map[field] = pair.slice(eq + 1).trim();
  }
  return map;
}
