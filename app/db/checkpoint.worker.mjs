// The thread that copies an import's write-ahead log into the database file (load.server.ts startCheckpoint): its own
// connection checkpoints once the import has committed, while the import's thread writes the column file. Plain
// JavaScript, as stage.worker.mjs, so that tests, the CLI and the server load the same file.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

/** @type {{ path: string }} */
const { path } = workerData;
const db = new Database(path);

parentPort.once("message", () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } finally {
    db.close(); // the last connection to close also removes the log
  }
});
