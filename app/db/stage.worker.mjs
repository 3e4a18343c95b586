// The thread behind an import's staging (load.server.ts openStage, decision 0025): it writes the kept lines to the
// scratch file while the main thread reads and cleans the next ones, so that the two take both cores. Plain JavaScript
// so that tests (TypeScript sources), the CLI and the server (dist/, build/) all load this same file.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

/** @type {{ path: string; create: string; table: string; columns: string[]; width: number; rowsPerStatement: number; faultAfterRows?: number }} */
const { path, create, table, columns, width, rowsPerStatement, faultAfterRows } = workerData;

const db = new Database(path);
db.pragma("journal_mode = OFF"); // a scratch file: a failed import deletes it
db.pragma("synchronous = OFF");
db.exec(create);
db.exec("BEGIN");

const insert = (rows) => {
  const tuple = `(${columns.map(() => "?").join(",")})`;
  return db.prepare(`INSERT INTO ${table} (${columns.join(",")}) VALUES ${Array(rows).fill(tuple).join(",")}`);
};
const many = insert(rowsPerStatement);
const one = insert(1);
// one parameter array per statement, filled in place: the data set's id (0 while staged), then the line's numbers
const manyParams = new Array(rowsPerStatement * (width + 1)).fill(0);
const oneParams = new Array(width + 1).fill(0);
let staged = 0;

function fill(params, values, from, rows) {
  let p = 0;
  for (let r = 0, at = from * width; r < rows; r++) {
    params[p++] = 0;
    for (let k = 0; k < width; k++, at++) {
      const v = values[at];
      params[p++] = Number.isNaN(v) ? null : v; // NaN (no product, no unit price) is NULL
    }
  }
}

parentPort.on("message", (message) => {
  if (message === "end") {
    db.exec("COMMIT");
    db.close();
    parentPort.postMessage("done");
    return;
  }
  const { values, rows } = message;
  let i = 0;
  for (; i + rowsPerStatement <= rows; i += rowsPerStatement) {
    fill(manyParams, values, i, rowsPerStatement);
    many.run(manyParams);
  }
  for (; i < rows; i++) {
    fill(oneParams, values, i, 1);
    one.run(oneParams);
  }
  staged += rows;
  parentPort.postMessage(rows); // written: the reader may send more (load.server.ts MAX_BATCHES_IN_FLIGHT)
  // the tests' fault: the staging thread fails (as on a full disk) while the file is still being read
  if (faultAfterRows !== undefined && staged > faultAfterRows)
    throw new Error(`Injected staging fault after ${faultAfterRows} lines`);
});
