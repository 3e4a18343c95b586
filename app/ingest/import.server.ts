import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { processCpuSeconds, stopwatch, type Elapsed } from "~/lib/thread-cpu.server";
import { performance } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import { underWriteLock, type Db } from "~/db/db.server";
import {
  copyStagedLines,
  deleteDatasetRows,
  nextIds,
  openStage,
  shiftPastTakenIds,
  type Stage,
  writeCustomers,
  writeOrders,
  writeProducts,
} from "~/db/load.server";
import { datasets } from "~/db/schema";
import { importedFrom, recordImport, setActiveDatasetId } from "~/db/datasets.server";
import type { DateFormat } from "./dates";
import type { ColumnMap } from "./formats";
import { milliToMoney } from "./money";
import { defaultCurrency } from "~/lib/currency";
import { ImportError, runPipeline, type PipelineOptions, type PipelineResult, type Progress } from "./pipeline";
import type { ImportReport } from "./report";
import type { CustomerFacts, LineBatch, OrderFacts, ProductFacts } from "~/types/import";
import { hashFile, openSource } from "./source";

export type ImportProgress = Progress | { stage: "hashing" | "deriving" | "segments" | "done" };

/**
 * What an import read, for the later stages to derive their tables from before the write lock is taken (each iterable
 * can be read more than once). Ids are those given while reading, as in the line batches of `onLines`.
 */
export type ImportedFacts = {
  customers: Iterable<CustomerFacts>;
  orders: Iterable<OrderFacts>;
  products: Iterable<ProductFacts>;
  lastAt: string | null;
};

export type ImportOptions<D = void> = {
  /** The data set ("workspace") name; defaults to the file name without extension. */
  name?: string;
  /** The file name to show, when the path is a temporary upload. */
  fileName?: string;
  map?: ColumnMap;
  dateFormat?: DateFormat;
  replace?: boolean;
  onProgress?: (p: ImportProgress) => void;
  faultAfterLines?: number;
  /** Test hook: the staging thread fails once it has written more than this many lines. */
  stageFaultAfterLines?: number;
  /** `--until YYYY-MM-DD` (issue 13): keep only the lines dated up to that day. */
  until?: string;
  /** ISO 4217 code of the amounts (issue 14), checked by the caller; undefined: the layout's default (GBP for Online Retail). */
  currency?: string | null;
  /**
   * Starts once the file is read and cleaned, before the write lock is taken: later stages derive their tables from the
   * facts in memory (ingest does not know them). Its promise is awaited under the lock, once the lines are copied in
   * (before the lock beyond OVERLAP_CUSTOMERS customers), so that work it does off this thread (the persona sweep)
   * overlaps the copy: it must not touch the database after it returns its promise. A failure here changes nothing.
   */
  prepare?: (facts: ImportedFacts) => Promise<D> | D;
  /**
   * Runs inside the import's transaction once the lines, orders and customers are written: later stages store what
   * `prepare` derived, so that the data set and its derived tables land together or not at all.
   */
  beforeCommit?: (datasetId: number, prepared: D) => Promise<void> | void;
  /** Also receives every batch of kept lines as it is staged (app/derive spools them for the column file). */
  onLines?: (batch: LineBatch) => void;
};

export const UNTIL = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Up to this many customers, `prepare` (the persona sweep: about 0.2–0.3 ms a customer on its thread, 1–3 s here) runs
 * on while the lines are copied in under the lock; beyond, it is awaited before the lock. At 5M generated lines (40,000
 * customers) the overlapped sweep held the lock 13.8 s instead of 5.2 s.
 */
const OVERLAP_CUSTOMERS = 10_000;

/** A `--until` day, checked: YYYY-MM-DD and a real calendar day. */
/** The file's size in bytes, once it is known to exist and not be empty: the first refusal of an import or an update. */
export async function checkFile(path: string): Promise<number> {
  const { size } = await stat(path).catch(() => {
    throw new ImportError(`File not found: ${path}`);
  });
  if (size === 0) throw new ImportError("The file is empty (0 bytes)");
  return size;
}

export function checkUntil(until: string | undefined): string | undefined {
  if (until === undefined) return undefined;
  const day = new Date(`${until}T00:00:00Z`);
  if (!UNTIL.test(until) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== until)
    throw new ImportError(`until "${until}" is not a day written YYYY-MM-DD`);
  return until;
}

/** The import report of a pipeline run (PRODUCT.md §1): every count of the cleaning policy. */
export function buildReport(
  result: PipelineResult,
  at: {
    name: string;
    fileName: string;
    bytes: number;
    contentHash: string;
    importedAt: string;
    started: number;
    /** every thread's CPU seconds at `started` */
    startedCpu: number;
    derive: Elapsed;
    until?: string;
  },
): ImportReport {
  let invoices = 0;
  let customerInvoices = 0;
  let cancellationInvoices = 0;
  for (const o of result.orders.values()) {
    if (o.kind === "return") cancellationInvoices++;
    else {
      invoices++;
      if (o.customerId !== null) customerInvoices++;
    }
  }
  const c = result.counts;
  return {
    dataset: at.name,
    fileName: at.fileName,
    bytes: at.bytes,
    contentHash: at.contentHash,
    encoding: result.encoding as ImportReport["encoding"],
    format: result.layout.format,
    dateFormat: result.dateFormat,
    header: result.layout.header,
    linesRead: c.linesRead,
    rejectedLines: c.rejectedLines,
    duplicateLines: c.duplicateLines,
    cancellationLines: c.cancellationLines,
    invalidLines: c.invalidLines,
    invalidReasons: result.invalidReasons,
    salesLines: c.salesLines,
    salesRevenue: milliToMoney(c.salesRevenue),
    salesLinesWithoutCustomer: c.salesLinesWithoutCustomer,
    customerSalesLines: c.customerSalesLines,
    customers: result.customers.size,
    invoices,
    customerInvoices,
    customerRevenue: milliToMoney(c.customerRevenue),
    cancellationInvoices,
    cancelledValue: milliToMoney(c.cancelledValue),
    nonMerchandiseLines: c.nonMerchandiseLines,
    countries: result.countries,
    products: result.merchandiseProducts,
    dateRange: result.dateRange,
    rejectedExamples: result.rejectedExamples,
    seconds: { ...result.seconds, derive: at.derive.seconds, total: (performance.now() - at.started) / 1000 },
    cpuSeconds: { ...result.cpuSeconds, derive: at.derive.cpuSeconds, total: processCpuSeconds() - at.startedCpu },
    importedAt: at.importedAt,
    ...(at.until ? { until: at.until, linesAfterUntil: c.linesAfterUntil } : {}),
  };
}

function defaultDatasetName(fileName: string): string {
  return basename(fileName).replace(/(\.csv)?(\.gz)?$/i, "") || "data set";
}

/** How an import and an update read their file: the user's mapping, staged lines, ids from `firstIds`, up to `until`. */
export function stagedReading(
  options: Pick<ImportOptions, "map" | "dateFormat" | "onProgress" | "faultAfterLines" | "onLines">,
  stage: Pick<Stage, "writer">,
  firstIds: { order: number; product: number },
  until: string | undefined,
): PipelineOptions {
  return {
    map: options.map,
    dateFormat: options.dateFormat,
    onProgress: options.onProgress,
    // the stage takes the batch's buffer (to its thread): every other reader of the batch goes first
    onLines: options.onLines ? (batch) => (options.onLines!(batch), stage.writer(batch)) : stage.writer,
    firstIds,
    faultAfterLines: options.faultAfterLines,
    until,
  };
}

/**
 * Imports one file as a data set in a single transaction: the whole file lands with its report (and, through
 * prepare/beforeCommit, its derived tables: app/derive), or the database is exactly as before and an
 * ImportError/FormatError says why (PRODUCT.md §1).
 */
export async function importFile<D = void>(
  db: Db,
  path: string,
  options: ImportOptions<D> = {},
): Promise<ImportReport> {
  const started = performance.now();
  const startedCpu = processCpuSeconds();
  const fileName = options.fileName ?? basename(path);
  const until = checkUntil(options.until);
  const size = await checkFile(path);
  options.onProgress?.({ stage: "hashing" });
  const contentHash = await hashFile(path);
  const name = (options.name ?? defaultDatasetName(fileName)).trim();
  if (name === "") throw new ImportError("The data set name is empty");

  const sameFile = importedFrom(db, contentHash, until);
  if (sameFile && !options.replace) {
    throw new ImportError(
      `This file was already imported${until ? ` up to ${until}` : ""} as "${sameFile.name}" on ` +
        `${sameFile.importedAt.slice(0, 10)}; import it with replace to load it again`,
      "conflict",
    );
  }
  const sameName = db.select().from(datasets).where(eq(datasets.name, name)).get();
  if (sameName && !options.replace) {
    throw new ImportError(
      `A data set named "${name}" already exists; choose another name or import with replace`,
      "conflict",
    );
  }

  // read, clean and stage the lines with no lock on the database (an import held it for its whole run: saving an
  // audience meanwhile froze for 10 s); the write lock is taken only to copy them in and write the facts
  const firstIds = nextIds(db);
  const stage = openStage(db, { faultAfterLines: options.stageFaultAfterLines });
  let result: PipelineResult;
  let preparing: Promise<D> | undefined;
  let prepareTime: Elapsed | undefined;
  try {
    const source = await openSource(path);
    result = await runPipeline(source, stagedReading(options, stage, firstIds, until));
    await stage.end();
    if (options.prepare) {
      options.onProgress?.({ stage: "segments" });
      // the sweep's threads' CPU: every thread's, less this thread's while they work (it copies the lines meanwhile),
      // plus this thread's share in prepare's call
      const fromProcess = processCpuSeconds();
      const watch = stopwatch();
      // started now and awaited under the lock only before beforeCommit: the persona sweep runs in its threads while
      // the lines are copied in (decision 0025)
      const called = options.prepare({
        customers: { [Symbol.iterator]: () => result.customers.values() },
        orders: { [Symbol.iterator]: () => result.orders.values() },
        products: { [Symbol.iterator]: () => result.products.values() },
        lastAt: result.dateRange?.[1] ?? null,
      });
      const ownCpu = watch().cpuSeconds;
      preparing = Promise.resolve(called).then((prepared) => {
        const t = watch();
        prepareTime = { seconds: t.seconds, cpuSeconds: processCpuSeconds() - fromProcess - t.cpuSeconds + ownCpu };
        return prepared;
      });
      preparing.catch(() => undefined); // thrown where it is awaited; a failure under the lock before that wins
      // a long preparation would hold the lock once the copy is done: awaited here, as before (decision 0025)
      if (result.customers.size > OVERLAP_CUSTOMERS) await preparing;
    }
  } catch (err) {
    await stage.close();
    throw err;
  }
  const locked = stopwatch();
  try {
    const busy = () =>
      new ImportError("Another import is writing to the database: import again once it has finished", "conflict");
    const report = await underWriteLock(db, busy, async () => {
      // checked again under the write lock: an import committed meanwhile (three replace-imports at once gave the raw
      // "UNIQUE constraint failed: datasets.name") is replaced too, or refused with the reason
      const nowFile = importedFrom(db, contentHash, until);
      const nowName = db.select().from(datasets).where(eq(datasets.name, name)).get();
      if (!options.replace && (nowFile || nowName)) {
        throw new ImportError(
          nowName
            ? `A data set named "${name}" was imported by another import while this one was reading; choose another name or import with replace`
            : `This file was imported as "${nowFile!.name}" by another import meanwhile; import it with replace to load it again`,
          "conflict",
        );
      }
      for (const old of [nowFile, nowName]) if (old) deleteDatasetRows(db, old.id);
      const shift = shiftPastTakenIds(db, firstIds, result.orders.values(), result.products.values());
      const importedAt = new Date().toISOString();
      const { id } = db
        .insert(datasets)
        .values({ name, fileName, contentHash, format: "", encoding: "", dateFormat: "", importedAt, report: "{}" })
        .returning({ id: datasets.id })
        .get();
      copyStagedLines(db, id, shift);
      if (result.dateRange === null && until) throw new ImportError(`No line is dated on or before ${until}`);
      options.onProgress?.({ stage: "deriving" });
      const deriving = stopwatch();
      writeOrders(db, id, result.orders.values());
      writeProducts(db, id, result.products.values());
      writeCustomers(db, id, result.customers.values());
      const derive = deriving();
      const report = buildReport(result, {
        name,
        fileName,
        bytes: size,
        contentHash,
        importedAt,
        started,
        startedCpu,
        derive,
        until,
      });
      db.update(datasets)
        .set({
          format: report.format,
          encoding: report.encoding,
          dateFormat: report.dateFormat,
          firstAt: report.dateRange?.[0] ?? null,
          lastAt: report.dateRange?.[1] ?? null,
          report: JSON.stringify(report),
          currency: options.currency === undefined ? defaultCurrency(report.format) : options.currency,
        })
        .where(eq(datasets.id, id))
        .run();
      recordImport(db, { datasetId: id, kind: "import", fileName, contentHash, importedAt, report });
      setActiveDatasetId(db, id);
      const prepared = preparing ? await preparing : (undefined as D);
      await options.beforeCommit?.(id, prepared);
      return report;
    });
    report.seconds.total = (performance.now() - started) / 1000;
    const lockHeld = locked();
    report.seconds.locked = lockHeld.seconds;
    report.cpuSeconds!.total = processCpuSeconds() - startedCpu;
    report.cpuSeconds!.locked = lockHeld.cpuSeconds;
    if (prepareTime) {
      report.seconds.segments = prepareTime.seconds;
      report.cpuSeconds!.segments = prepareTime.cpuSeconds;
    }
    options.onProgress?.({ stage: "done" });
    return report;
  } finally {
    await stage.close();
  }
}
