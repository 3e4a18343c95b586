import type { Db } from "~/db/db.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { pg, warehouseError } from "~/db/warehouse.server";
import { quoteIdent } from "~/lib/sql-names";
import { startExperiment } from "./experiments.server";
import { assignmentRows, getExperiment } from "./store.server";

// The only write Campaign Lab sends to a warehouse (issue 17): a started experiment's assignment, copied into
// <schema>.campaign_lab_assignments of the schema the user named when connecting, so that the warehouse can join it
// to its orders. Never into the user's tables; the assignment of record stays in SQLite.

export const ASSIGNMENTS_TABLE = "campaign_lab_assignments";

/**
 * Writes the experiment's assignment (replacing an earlier copy of it) in one transaction; null when its data set is
 * not a warehouse one or names no assignments schema. Errors are the client's one-line, password-free messages.
 */
export async function exportAssignments(db: Db, experimentId: number): Promise<{ table: string; rows: number } | null> {
  const e = getExperiment(db, experimentId);
  const connection = e && warehouseConnection(db, e.datasetId);
  if (!e || !connection?.assignmentsSchema || !e.startDate) return null;
  const table = `${quoteIdent(connection.assignmentsSchema)}.${quoteIdent(ASSIGNMENTS_TABLE)}`;
  const rows = assignmentRows(db, experimentId);
  const client = new (pg().Client)({ connectionString: connection.url, application_name: "campaign-lab" });
  try {
    await client.connect();
    await client.query("BEGIN");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(connection.assignmentsSchema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (experiment_id integer NOT NULL, experiment_name text NOT NULL, ` +
        `customer_id text NOT NULL, arm integer NOT NULL, arm_name text NOT NULL, start_date date NOT NULL, ` +
        `PRIMARY KEY (experiment_id, customer_id))`,
    );
    await client.query(`DELETE FROM ${table} WHERE experiment_id = $1`, [experimentId]);
    await client.query(
      `INSERT INTO ${table} (experiment_id, experiment_name, customer_id, arm, arm_name, start_date)
       SELECT $1, $2, a.customer_id, a.arm, ($3::text[])[a.arm + 1], $4::date
       FROM unnest($5::text[], $6::int[]) AS a(customer_id, arm)`,
      [
        experimentId,
        e.name,
        e.design.arms.map((a) => a.name),
        e.startDate,
        rows.map((r) => r.customerId),
        rows.map((r) => r.arm),
      ],
    );
    await client.query("COMMIT");
    return { table: `${connection.assignmentsSchema}.${ASSIGNMENTS_TABLE}`, rows: rows.length };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw warehouseError(err, connection.url);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts the experiment, then copies its assignment into the warehouse's assignments schema when one is named: one path
 * for the page, the CLI and the API. The start stands if the copy fails; the failure is returned and is in `warnings`.
 */
export async function startWithWarehouseCopy(
  db: Db,
  experimentId: number,
  options: Parameters<typeof startExperiment>[2] = {},
) {
  const started = startExperiment(db, experimentId, options);
  let copyError: string | null = null;
  try {
    await exportAssignments(db, experimentId);
  } catch (err) {
    copyError = (err as Error).message;
    started.warnings.push(`the assignment was not written to the warehouse: ${copyError}`);
  }
  return { ...started, copyError };
}
