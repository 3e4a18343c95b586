// The thread behind warehouse-sync.server.ts (issue 17): it runs one read-only query at a time for a caller that waits
// on a shared flag, then wakes it. Plain JavaScript so that tests (TypeScript sources), the CLI and the server (dist/,
// build/) all load this same file. The session settings (read only, a statement timeout, work_mem, UTC) come with each
// request as libpq startup options (warehouse.server.ts sessionOptions), set once per connection: a query is then one
// round trip, where BEGIN READ ONLY, three SET LOCAL and COMMIT made it five. int8 and numeric read as numbers.
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
function poolFor(url, options) {
  const key = `${options}\n${url}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url.trim(),
      options,
      max: 1,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: "campaign-lab",
      types,
    });
    pool.on("error", () => {});
    pools.set(key, pool);
  }
  return pool;
}

async function run({ url, options, text, values }) {
  // one statement: its own read-only transaction under the connection's settings
  return (await poolFor(url, options).query(text, values)).rows;
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
