import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { processAlive } from "~/lib/process.server";
import { dirname, join } from "node:path";
import type { Db } from "~/db/db.server";
import { datasets } from "~/db/schema";
import type { Facts } from "./facts";
import { LINE_WIDTH, type LineBatch } from "~/types/import";

// A data set's columns (Facts) written to one binary file beside the database, keyed by the data set's version, so that
// a server start reads them in a fraction of a second instead of walking every line of SQLite row by row (1.7 s per
// million lines before; docs/decisions/0014-column-snapshot.md). The file is a cache: SQLite stays the truth. A file
// of another version, a truncated one or one that does not parse is ignored (and replaced at the next load).
//
// Layout: "CLFACTS1", the header's length (u32 LE), the header (JSON: version, scalars, string columns, counts), then
// each typed column in COLUMNS order, each starting at a multiple of 8 bytes.

const MAGIC = "CLFACTS1";
/** Below this many lines SQLite loads the columns in well under a second: no file is written. */
export const SNAPSHOT_MIN_LINES = 100_000;

type Header = {
  version: string;
  datasetId: number;
  currency: string | null;
  firstDay: number;
  lastDay: number;
  countries: string[];
  customerIds: string[];
  productCodes: string[];
  productDescriptions: (string | null)[];
  counts: { customers: number; products: number; orders: number; lines: number };
};

type Typed = Int32Array | Int16Array | Uint8Array | Float64Array;
type Column = {
  get: (f: Facts) => Typed;
  make: (buffer: ArrayBuffer, offset: number, n: number) => Typed;
  count: keyof Header["counts"];
};
const i32 = (get: (f: Facts) => Int32Array, count: Column["count"]): Column => ({
  get,
  make: (b, o, n) => new Int32Array(b, o, n),
  count,
});
const f64 = (get: (f: Facts) => Float64Array, count: Column["count"]): Column => ({
  get,
  make: (b, o, n) => new Float64Array(b, o, n),
  count,
});
const u8 = (get: (f: Facts) => Uint8Array, count: Column["count"]): Column => ({
  get,
  make: (b, o, n) => new Uint8Array(b, o, n),
  count,
});
const COLUMNS: Column[] = [
  i32((f) => f.customers.country, "customers"),
  i32((f) => f.customers.firstSaleDay, "customers"),
  i32((f) => f.customers.firstSaleMonth, "customers"),
  u8((f) => f.products.nonMerchandise, "products"),
  u8((f) => f.orders.kind, "orders"),
  i32((f) => f.orders.customer, "orders"),
  i32((f) => f.orders.country, "orders"),
  i32((f) => f.orders.day, "orders"),
  i32((f) => f.orders.month, "orders"),
  { get: (f) => f.orders.minute, make: (b, o, n) => new Int16Array(b, o, n), count: "orders" },
  f64((f) => f.orders.amount, "orders"),
  i32((f) => f.lines.order, "lines"),
  i32((f) => f.lines.product, "lines"),
  f64((f) => f.lines.quantity, "lines"),
  f64((f) => f.lines.amount, "lines"),
];
/** The line columns come last, in LineSpool's order: order, product, quantity, amount. */
const LINE_COLUMNS_FROM = COLUMNS.length - 4;

const pad8 = (n: number) => (n + 7) & ~7;

/** The snapshot file of a data set (null for an in-memory database). */
export function snapshotPath(db: Db, datasetId: number): string | null {
  const dir = columnsDir(db);
  return dir && join(dir, `${datasetId}.bin`);
}

/** The folder of the column files, beside the database (null for an in-memory database). */
function columnsDir(db: Db): string | null {
  const file = db.$client.name;
  if (!file || file === ":memory:" || db.$client.memory) return null;
  return join(dirname(file), "columns");
}

/** The data set's columns from its snapshot file, or null when there is none of this version (or it is unreadable). */
export function readSnapshot(db: Db, datasetId: number, version: string): Facts | null {
  const path = snapshotPath(db, datasetId);
  if (!path) return null;
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return null;
  }
  try {
    if (file.length < 12 || file.toString("latin1", 0, 8) !== MAGIC) return null;
    const headerLength = file.readUInt32LE(8);
    const header = JSON.parse(file.toString("utf8", 12, 12 + headerLength)) as Header;
    if (header.version !== version || header.datasetId !== datasetId) return null;
    // typed arrays need aligned offsets: a file buffer normally starts its own ArrayBuffer, else it is copied once
    let bytes: Uint8Array = file;
    if (file.byteOffset % 8 !== 0) {
      bytes = new Uint8Array(file.length);
      bytes.set(file);
    }
    let offset = pad8(12 + headerLength);
    const columns: Typed[] = [];
    for (const c of COLUMNS) {
      const n = header.counts[c.count];
      const column = c.make(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, n);
      columns.push(column);
      offset = pad8(offset + column.byteLength);
    }
    if (offset !== bytes.length) return null;
    const [cc, cfd, cfm, pnm, ok, oc, oco, od, om, omin, oa, lo, lp, lq, la] = columns;
    const { counts } = header;
    return {
      datasetId,
      currency: header.currency,
      firstDay: header.firstDay,
      lastDay: header.lastDay,
      countries: header.countries,
      customers: {
        ids: header.customerIds,
        country: cc as Int32Array,
        firstSaleDay: cfd as Int32Array,
        firstSaleMonth: cfm as Int32Array,
      },
      products: {
        code: header.productCodes,
        description: header.productDescriptions,
        nonMerchandise: pnm as Uint8Array,
      },
      orders: {
        n: counts.orders,
        kind: ok as Uint8Array,
        customer: oc as Int32Array,
        country: oco as Int32Array,
        day: od as Int32Array,
        month: om as Int32Array,
        minute: omin as Int16Array,
        amount: oa as Float64Array,
      },
      lines: {
        n: counts.lines,
        order: lo as Int32Array,
        product: lp as Int32Array,
        quantity: lq as Float64Array,
        amount: la as Float64Array,
      },
    };
  } catch {
    return null; // a torn or foreign file: SQLite answers, and the next load writes a good one
  }
}

/**
 * Writes the data set's columns (a temporary file renamed into place: a reader never sees half of one), and removes the
 * files of data sets that no longer exist. Nothing is written below `minLines` lines. Never throws: the file is a cache.
 */
export function writeSnapshot(
  db: Db,
  datasetId: number,
  version: string,
  facts: Facts | SpooledFacts,
  minLines = SNAPSHOT_MIN_LINES,
): boolean {
  const path = snapshotPath(db, datasetId);
  if (!path || facts.lines.n < minLines) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const header: Header = {
      version,
      datasetId,
      currency: facts.currency,
      firstDay: facts.firstDay,
      lastDay: facts.lastDay,
      countries: facts.countries,
      customerIds: facts.customers.ids,
      productCodes: facts.products.code,
      productDescriptions: facts.products.description,
      counts: {
        customers: facts.customers.ids.length,
        products: facts.products.code.length,
        orders: facts.orders.n,
        lines: facts.lines.n,
      },
    };
    const json = Buffer.from(JSON.stringify(header), "utf8");
    const start = Buffer.alloc(12);
    start.write(MAGIC, 0, "latin1");
    start.writeUInt32LE(json.length, 8);
    const fd = openSync(tmp, "w");
    try {
      let at = 0;
      const append = (b: Uint8Array) => {
        for (let done = 0; done < b.length;) done += writeSync(fd, b, done, b.length - done);
        at += b.length;
      };
      const pad = () => {
        if (at % 8) append(Buffer.alloc(pad8(at) - at));
      };
      append(start);
      append(json);
      pad();
      for (const [i, c] of COLUMNS.entries()) {
        if (i >= LINE_COLUMNS_FROM && facts.lines instanceof LineSpool)
          facts.lines.copyColumn(i - LINE_COLUMNS_FROM, append);
        else {
          const column = c.get(facts as Facts);
          append(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
        }
        pad();
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    removeOrphans(db, dirname(path));
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/** Files of data sets deleted since, and temporary files and spools of writers that died. */
function removeOrphans(db: Db, dir: string): void {
  const ids = new Set(
    db
      .select({ id: datasets.id })
      .from(datasets)
      .all()
      .map((d) => d.id),
  );
  for (const name of readdirSync(dir)) {
    const spool = /^spool-(\d+)-\d+\.\w+$/.exec(name);
    const m = /^(\d+)\.bin(\.(\d+)\.tmp)?$/.exec(name);
    const orphan = spool
      ? !processAlive(Number(spool[1]))
      : m && (!ids.has(Number(m[1])) || (m[3] !== undefined && !processAlive(Number(m[3]))));
    if (orphan) rmSync(join(dir, name), { force: true });
  }
}

/** Facts whose lines are in a spool rather than in memory: what an import writes its column file from. */
export type SpooledFacts = Omit<Facts, "lines"> & { lines: LineSpool };

const SPOOL_CHUNK = 1 << 16; // lines per read when a spooled column is copied into the file

/**
 * An import's kept lines, column by column, in scratch files beside the database as the file is read (nothing held
 * in memory: 24 bytes a line, 1.2 GB at 50M lines). Once the import is stored, `writeSnapshot` copies them into the
 * data set's column file, mapping order and product ids to their positions, so that the first server start after a
 * CLI import reads the file instead of SQLite (decision 0014). `close` removes the scratch files.
 */
export class LineSpool {
  n = 0;
  private readonly paths: string[];
  private readonly fds: number[];
  private place: { orderAt: (id: number) => number; productAt: (id: number) => number } | null = null;

  private constructor(base: string) {
    this.paths = ["order", "product", "quantity", "amount"].map((c) => `${base}.${c}`);
    this.fds = [];
    try {
      for (const p of this.paths) this.fds.push(openSync(p, "w+"));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** A spool beside the database's column files, or null for an in-memory database (nothing to write then). */
  static open(db: Db): LineSpool | null {
    const dir = columnsDir(db);
    if (!dir) return null;
    mkdirSync(dir, { recursive: true });
    return new LineSpool(join(dir, `spool-${process.pid}-${Date.now()}`));
  }

  /** Takes a batch of kept lines (LINE_WIDTH numbers each: order id, line number, product id, quantity, price, amount). */
  readonly add = ({ values, rows }: LineBatch): void => {
    const order = new Int32Array(rows);
    const product = new Int32Array(rows);
    const quantity = new Float64Array(rows);
    const amount = new Float64Array(rows);
    for (let i = 0, at = 0; i < rows; i++, at += LINE_WIDTH) {
      order[i] = values[at];
      product[i] = Number.isNaN(values[at + 2]) ? -1 : values[at + 2]; // ids start at 1: -1 is no product
      quantity[i] = values[at + 3];
      amount[i] = values[at + 5];
    }
    [order, product, quantity, amount].forEach((c, k) => {
      const bytes = new Uint8Array(c.buffer);
      for (let done = 0; done < bytes.length;) done += writeSync(this.fds[k], bytes, done, bytes.length - done);
    });
    this.n += rows;
  };

  /** Where the ids the lines name sit among the data set's orders and products (FactsHead of facts.server.ts). */
  placeIds(place: { orderAt: (id: number) => number; productAt: (id: number) => number }): void {
    this.place = place;
  }

  /** Appends column k (0 order, 1 product: their positions, Int32; 2 quantity, 3 amount: Float64) through `append`. */
  copyColumn(k: number, append: (b: Uint8Array) => void): void {
    const place = this.place;
    if (k < 2 && !place) throw new Error("the spool's ids were not placed");
    const width = k < 2 ? 4 : 8;
    const bytes = new Uint8Array(SPOOL_CHUNK * width);
    const ids = new Int32Array(bytes.buffer);
    for (let from = 0; from < this.n; from += SPOOL_CHUNK) {
      const want = Math.min(SPOOL_CHUNK, this.n - from) * width;
      for (let got = 0; got < want;) {
        const r = readSync(this.fds[k], bytes, got, want - got, from * width + got);
        if (r === 0) throw new Error("a spooled column is shorter than its lines");
        got += r;
      }
      if (k < 2) {
        const at = k === 0 ? place!.orderAt : place!.productAt;
        for (let i = 0; i < want / 4; i++) ids[i] = ids[i] === -1 ? -1 : at(ids[i]);
      }
      append(bytes.subarray(0, want));
    }
  }

  close(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds.length = 0;
    for (const p of this.paths) rmSync(p, { force: true });
  }
}
