import { join } from "node:path";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { projectRoot } from "./paths.server";
import { DEFAULT_STATEMENT_TIMEOUT_MS, checkWarehouseUrl, sessionOptions, warehouseError } from "./warehouse.server";
import type { WarehouseQuery, WarehouseRow } from "~/types/warehouse";

// Builders run from synchronous code (issue 17): the experiments' back-test, start and measurement are synchronous
// chains (better-sqlite3 is synchronous), so a warehouse data set's figures are fetched by a worker thread while this
// thread waits on a shared flag (Atomics.wait), then read with receiveMessageOnPort — the technique of synckit.
// The thread blocks for the query's time, as it does for a SQLite query; the same builders, the same READ ONLY rules.

type Bridge = { worker: Worker; port: MessagePort; next: number };
let bridge: Bridge | null = null;

function open(): Bridge {
  if (bridge) return bridge;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(join(projectRoot(), "app", "db", "warehouse-sync.worker.mjs"), {
    workerData: { port: port2 },
    transferList: [port2],
  });
  // neither keeps a CLI process alive once its work is done
  worker.unref();
  port1.unref();
  worker.on("error", () => (bridge = null));
  worker.on("exit", () => (bridge = null));
  return (bridge = { worker, port: port1, next: 1 });
}

/** Runs one builder's query in the warehouse and returns its result, blocking this thread until it arrives. */
export function runWarehouseSync<T>(url: string, query: WarehouseQuery<T>): T {
  checkWarehouseUrl(url);
  const timeoutMs = Number(process.env.WAREHOUSE_TIMEOUT_MS) || DEFAULT_STATEMENT_TIMEOUT_MS;
  const b = open();
  const flag = new SharedArrayBuffer(4);
  const id = b.next++;
  b.port.postMessage({ id, url, options: sessionOptions(timeoutMs), text: query.text, values: query.values, flag });
  // the statement timeout cancels the query first; the extra 15 s covers connecting
  const waited = Atomics.wait(new Int32Array(flag), 0, 0, timeoutMs + 15_000);
  const received = receiveMessageOnPort(b.port);
  if (waited === "timed-out" || !received)
    throw warehouseError({ code: "57014", message: "no answer from the warehouse in time" }, url);
  const answer = received.message as { id: number; rows?: WarehouseRow[]; error?: { code?: string; message: string } };
  if (answer.error) throw warehouseError(answer.error, url);
  return query.read(answer.rows!);
}
