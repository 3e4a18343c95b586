import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { processCpuSeconds, stopwatch } from "~/lib/thread-cpu.server";
import { underWriteLock, type Db } from "~/db/db.server";
import {
  customerCount,
  datasetHistory,
  recordImport,
  setDatasetSpan,
  updateTarget,
  type UpdateTarget,
} from "~/db/datasets.server";
import {
  copyStagedLines,
  nextIds,
  openStage,
  replaceCustomers,
  shiftPastTakenIds,
  stagedLines,
  storedCountries,
  storedCustomerOrders,
  storedLineKeys,
  storedMerchandiseSold,
  storedProducts,
  writeOrders,
  writeProducts,
} from "~/db/load.server";
import type { ImportReport, OrderFacts, PendingUpdate, UpdateReport } from "~/types/import";
import type { DateFormat } from "./dates";
import type { ColumnMap } from "./formats";
import { buildReport, checkFile, checkUntil, stagedReading, type ImportProgress } from "./import.server";
import { customerFacts, ImportError, runPipeline, type OverlapLine } from "./pipeline";
import { round2 } from "./money";
import { hashFile, openSource } from "./source";

// "Add newer transactions" (issue 13): lines dated after the data set's last stored transaction are added through the
// same cleaning rules; lines on or before it are overlap, counted and matched against the stored lines, never added.
// One transaction: the lines, the customers recomputed from all orders, the combined report, the history row and
// whatever later stages derive (prepare, then beforeCommit: segments, personas, measured results) land together or
// not at all; the write lock is held only for that last step.

export type UpdateOptions<D = void> = {
  /** The data set to update: its id, or its name. */
  dataset: number | string;
  fileName?: string;
  map?: ColumnMap;
  dateFormat?: DateFormat;
  until?: string;
  onProgress?: (p: ImportProgress) => void;
  faultAfterLines?: number;
  /**
   * Runs once the file is read, cleaned and staged, before the write lock is taken: later stages derive their tables
   * from the data as it will be (segments, personas, measured results). A failure here changes nothing.
   */
  prepare?: (pending: PendingUpdate) => Promise<D> | D;
  /** Runs inside the transaction once the data is written: stores what prepare derived; returns the experiments measured. */
  beforeCommit?: (datasetId: number, prepared: D) => Promise<number[] | void> | number[] | void;
};

const lineKey = (invoice: string, kind: string, product: string | null, quantity: number, amount: number) =>
  `${invoice}\t${kind}\t${product ?? ""}\t${quantity}\t${amount}`;

function findDataset(db: Db, dataset: number | string): UpdateTarget {
  const row = updateTarget(db, dataset);
  if (!row)
    throw new ImportError(
      typeof dataset === "number" ? `No data set with id ${dataset}` : `No data set named "${dataset}"`,
      "not-found",
    );
  return row;
}

/**
 * Refuses a file this data set already took in whole (by content hash): its import or an earlier update with no
 * `until`, or with an `until` on or after this one's. Applying it again would add nothing (and took ~26 s to say so).
 */
function checkNotApplied(db: Db, target: UpdateTarget, contentHash: string, until: string | undefined): void {
  for (const entry of datasetHistory(db, target.id)) {
    const applied = "clean" in entry.report ? entry.report.clean : entry.report;
    const hash = applied.contentHash;
    const before = applied.until;
    if (hash !== contentHash || (before !== undefined && (until === undefined || until > before))) continue;
    throw new ImportError(
      `This file was already applied to "${target.name}" on ` +
        `${entry.importedAt.slice(0, 10)}${before ? ` (up to ${before})` : ""}: nothing to add, nothing was changed`,
      "conflict",
    );
  }
}

/**
 * Adds a file's newer lines to a data set, staged like an import (decision records 0005, 0011; #12 item 6): the file
 * is read, cleaned and staged in a scratch file, the customers recomputed and `prepare` derives the later stages'
 * tables, all without the write lock; the lock is taken only to write them in, after checking that nothing changed
 * the data set meanwhile. One transaction: everything lands, or nothing changes.
 */
export async function updateDataset<D = void>(db: Db, path: string, options: UpdateOptions<D>): Promise<UpdateReport> {
  const started = performance.now();
  const startedCpu = processCpuSeconds();
  const fileName = options.fileName ?? basename(path);
  const until = checkUntil(options.until);
  const size = await checkFile(path);
  const target = findDataset(db, options.dataset);
  // a warehouse data set (issue 17) keeps no lines here: it is read again from its warehouse, never updated from a file
  if (target.kind === "warehouse")
    throw new ImportError(
      `"${target.name}" is a warehouse data set: it is read from its warehouse table, not updated from a file`,
    );
  options.onProgress?.({ stage: "hashing" });
  const contentHash = await hashFile(path);
  checkNotApplied(db, target, contentHash, until);
  const id = target.id;
  const storedThrough = target.lastAt;
  // the stored lines as a multiset, read once the file shows overlap
  let stored: Map<string, number> | null = null;
  let matched = 0;
  let notFound = 0;
  const onOverlap = (l: OverlapLine) => {
    if (stored === null) {
      stored = new Map();
      for (const [invoice, kind, product, quantity, amount] of storedLineKeys(db, id)) {
        const key = lineKey(invoice, kind, product, quantity, amount);
        stored.set(key, (stored.get(key) ?? 0) + 1);
      }
    }
    const key = lineKey(l.invoice, l.kind, l.product, l.quantity, l.amount);
    const left = stored.get(key) ?? 0;
    if (left > 0) {
      stored.set(key, left - 1);
      matched++;
    } else notFound++;
  };
  const firstIds = nextIds(db);
  const stage = openStage(db);
  try {
    const result = await runPipeline(await openSource(path), {
      ...stagedReading(options, stage, firstIds, until),
      overlapThrough: storedThrough ?? undefined,
      onOverlap,
      knownProducts: storedProducts(db, id),
    });
    await stage.end();
    stored = null;
    options.onProgress?.({ stage: "segments" }); // customers, then the later stages' tables (prepare)
    const deriving = stopwatch();
    const newOrders = [...result.orders.values()];
    const newProducts = [...result.products.values()].filter((p) => p.id >= firstIds.product);
    // customers from every order, stored then new, in id order: the same facts a single import of both would give
    const all: OrderFacts[] = storedCustomerOrders(db, id)
      .filter((o) => o.id < firstIds.order)
      .concat(newOrders.filter((o) => o.customerId !== null));
    const customers = customerFacts({ values: () => all });
    const before = customerCount(db, id);
    const firstAt = [target.firstAt, result.dateRange?.[0]].filter((d): d is string => !!d).sort()[0] ?? null;
    const lastAt =
      [target.lastAt, result.dateRange?.[1]]
        .filter((d): d is string => !!d)
        .sort()
        .at(-1) ?? null;
    // the combined report's totals, counted over the stored data and the staged one
    const countries = new Set(storedCountries(db, id));
    for (const o of newOrders) if (o.country !== null) countries.add(o.country);
    const sold = new Set(storedMerchandiseSold(db, id));
    const kindOf = new Map(newOrders.map((o) => [o.id, o.kind]));
    const merchandise = new Set([...result.products.values()].filter((p) => !p.nonMerchandise).map((p) => p.id));
    const staged = stagedLines(db);
    for (const [order, product] of staged.rows())
      if (product !== null && kindOf.get(order) === "sale" && merchandise.has(product)) sold.add(product);
    const importedAt = new Date().toISOString();
    const clean = buildReport(result, {
      name: target.name,
      fileName,
      bytes: size,
      contentHash,
      importedAt,
      started,
      startedCpu,
      derive: deriving(),
      until,
    });
    clean.linesRead -= result.counts.overlapLines; // the new period's lines; the overlap is reported apart
    const checked = result.layout.index.invoice !== undefined;
    const combined = combine(JSON.parse(target.report) as ImportReport, clean, {
      customers: customers.size,
      countries: countries.size,
      products: sold.size,
      dateRange: firstAt && lastAt ? [firstAt, lastAt] : null,
    });
    const report: UpdateReport = {
      kind: "update",
      datasetId: id,
      storedThrough,
      added: result.counts.salesLines + result.counts.cancellationLines,
      overlap: {
        lines: result.counts.overlapLines,
        matched: checked ? matched : null,
        notFound: checked ? notFound : null,
        dropped: result.counts.overlapDropped,
        checked,
      },
      newCustomers: customers.size - before,
      remeasured: [],
      clean,
    };
    const customerList = [...customers.values()];
    const preparing = performance.now();
    const prepared = options.prepare
      ? await options.prepare({
          datasetId: id,
          lastAt,
          customers: customerList,
          orders: newOrders,
          products: newProducts,
          lineCount: staged.count,
          lines: staged.rows,
        })
      : (undefined as D);
    if (options.prepare) report.clean.seconds.segments = (performance.now() - preparing) / 1000;

    // the write lock, only to write in what was staged and derived
    const lockedFrom = performance.now();
    const busy = () =>
      new ImportError("Another import is writing to the database: update again once it has finished", "conflict");
    await underWriteLock(db, busy, async () => {
      options.onProgress?.({ stage: "deriving" });
      const now = findDataset(db, id);
      if (now.lastAt !== target.lastAt || now.firstAt !== target.firstAt || now.report !== target.report)
        throw new ImportError(
          `The data set "${target.name}" was changed by another import or update while this one was reading: nothing was changed; update again`,
          "conflict",
        );
      const shift = shiftPastTakenIds(db, firstIds, newOrders, newProducts);
      copyStagedLines(db, id, shift, firstIds.product);
      writeOrders(db, id, newOrders);
      writeProducts(db, id, newProducts);
      replaceCustomers(db, id, customerList);
      setDatasetSpan(db, id, { firstAt, lastAt, report: JSON.stringify(combined) });
      report.remeasured = (await options.beforeCommit?.(id, prepared)) ?? [];
      report.clean.seconds.total = (performance.now() - started) / 1000;
      report.clean.seconds.locked = (performance.now() - lockedFrom) / 1000;
      recordImport(db, { datasetId: id, kind: "update", fileName, contentHash, importedAt, report });
    });
    options.onProgress?.({ stage: "done" });
    return report;
  } finally {
    await stage.close();
  }
}

const sum2 = (a: number, b: number) => round2(a + b);

/** The data set's report after an update: its counts plus the new period's; the totals recounted from the store. */
function combine(
  old: ImportReport,
  add: ImportReport,
  totals: Pick<ImportReport, "customers" | "countries" | "products" | "dateRange">,
): ImportReport {
  const reasons = { ...old.invalidReasons };
  for (const [k, v] of Object.entries(add.invalidReasons)) reasons[k] = (reasons[k] ?? 0) + v;
  return {
    ...old,
    ...totals,
    linesRead: old.linesRead + add.linesRead,
    rejectedLines: old.rejectedLines + add.rejectedLines,
    duplicateLines: old.duplicateLines + add.duplicateLines,
    cancellationLines: old.cancellationLines + add.cancellationLines,
    invalidLines: old.invalidLines + add.invalidLines,
    invalidReasons: reasons,
    salesLines: old.salesLines + add.salesLines,
    salesRevenue: sum2(old.salesRevenue, add.salesRevenue),
    salesLinesWithoutCustomer: old.salesLinesWithoutCustomer + add.salesLinesWithoutCustomer,
    customerSalesLines: old.customerSalesLines + add.customerSalesLines,
    invoices: old.invoices + add.invoices,
    customerInvoices: old.customerInvoices + add.customerInvoices,
    customerRevenue: sum2(old.customerRevenue, add.customerRevenue),
    cancellationInvoices: old.cancellationInvoices + add.cancellationInvoices,
    cancelledValue: sum2(old.cancelledValue, add.cancelledValue),
    nonMerchandiseLines: old.nonMerchandiseLines + add.nonMerchandiseLines,
    rejectedExamples: [...old.rejectedExamples, ...add.rejectedExamples].slice(0, 100),
  };
}
