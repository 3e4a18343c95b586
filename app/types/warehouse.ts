// Shapes shared by the warehouse client (db/) and the per-figure SQL builders of each stage (issue 17). Types only.

/** The fields a warehouse table maps, as a CSV's columns do (ingest/formats.ts FIELDS). */
export type WarehouseField =
  "customer" | "invoice" | "date" | "quantity" | "price" | "amount" | "product" | "description" | "country";

/**
 * A table or view of transaction lines in the user's PostgreSQL: its name as the user wrote it ("schema.table" or
 * "table") and which of its columns holds each field. customer and date are required, and amount or price.
 */
export type WarehouseSource = { table: string; map: Partial<Record<WarehouseField, string>> };

/** A row as the pg driver returns it (numeric and bigint columns come back as strings). */
export type WarehouseRow = Record<string, unknown>;

/**
 * A figure's query over the cleaned lines, in parts: its own CTEs and final SELECT after the cleaning CTEs (ingest's
 * cleanCtes: wh_orders, wh_customers, or wh_order_lines when `orderLines`), so that a page's figures can share one
 * cleaning pass (ingest/warehouse-sql.ts pageQuery).
 */
export type CleanedFigure = { ctes?: string[]; select: string; orderLines?: boolean };

/**
 * One read-only SELECT with its parameters ($1, $2 …), and how its rows become the in-memory engine's shape; `figure`
 * when it is a figure over the cleaned lines (the text is then the cleaning CTEs and the figure's parts).
 */
export type WarehouseQuery<T> = {
  text: string;
  values: unknown[];
  read: (rows: WarehouseRow[]) => T;
  figure?: CleanedFigure;
};

/**
 * Where a warehouse data set's connection or re-read is (issue 17), in order: the connection checked, the cleaning
 * report read, the customers read, segments and personas derived (all in PostgreSQL and memory, no lock held), then
 * everything stored in one SQLite transaction, done once it has committed.
 */
export type WarehouseProgress = { stage: "connecting" | "report" | "customers" | "segments" | "storing" | "done" };
