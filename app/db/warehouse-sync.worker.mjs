// The thread behind warehouse-sync.server.ts (issue 17): it runs one read-only query at a time for a caller that waits
// on a shared flag, then wakes it. Plain JavaScript so that tests (TypeScript sources), the CLI and the server (dist/,
// build/) all load this same file. Session settings are warehouse.server.ts's Warehouse.read: READ ONLY, a statement
// timeout, UTC; int8 and numeric read as numbers.
import pg from "pg";
import { workerData } from "node:worker_threads";

const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid, format) {
    if (oid === INT8 || oid === NUMERIC) return (v) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

const pools = new Map();
function poolFor(url) {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url.trim(),
      max: 1,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: "campaign-lab",
      types,
    });
    pool.on("error", () => {});
    pools.set(url, pool);
  }
  return pool;
}

async function run({ url, text, values, timeoutMs }) {
  const client = await poolFor(url).connect();
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    await client.query("SET LOCAL TimeZone = 'UTC'");
    const result = await client.query(text, values);
    await client.query("COMMIT");
    return result.rows;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const { port } = workerData;
port.on("message", async (request) => {
  const flag = new Int32Array(request.flag);
  try {
    port.postMessage({ id: request.id, rows: await run(request) });
  } catch (err) {
    port.postMessage({ id: request.id, error: { code: err?.code, message: String(err?.message ?? err) } });
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
});
