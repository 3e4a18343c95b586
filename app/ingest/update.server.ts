import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import type { Db } from "~/db/db.server";
import {
  lineWriter,
  nextIds,
  replaceCustomers,
  storedCustomerOrders,
  storedLineKeys,
  storedProducts,
  writeOrders,
  writeProducts,
} from "~/db/load.server";
import type { ImportReport, OrderFacts, UpdateReport } from "~/types/import";
import type { DateFormat } from "./dates";
import type { ColumnMap } from "./formats";
import { buildReport, checkFile, checkUntil, type ImportProgress } from "./import.server";
import { customerFacts, ImportError, runPipeline, type OverlapLine } from "./pipeline";
import { hashFile, openSource } from "./source";

// "Add newer transactions" (issue 13): lines dated after the data set's last stored transaction are added through the
// same cleaning rules; lines on or before it are overlap, counted and matched against the stored lines, never added.
// One transaction: the lines, the customers recomputed from all orders, the combined report, the history row and
// whatever later stages derive (beforeCommit: segments, personas, measured results) land together or not at all.

export type UpdateOptions = {
  /** The data set to update: its id, or its name. */
  dataset: number | string;
  fileName?: string;
  map?: ColumnMap;
  dateFormat?: DateFormat;
  until?: string;
  onProgress?: (p: ImportProgress) => void;
  faultAfterLines?: number;
  /** Runs inside the transaction after the data is written; returns the experiments it measured again. */
  beforeCommit?: (datasetId: number) => Promise<number[] | void> | number[] | void;
};

type DatasetRow = { id: number; name: string; last_at: string | null; first_at: string | null; report: string };

const lineKey = (invoice: string, kind: string, product: string | null, quantity: number, amount: number) =>
  `${invoice}\t${kind}\t${product ?? ""}\t${quantity}\t${amount}`;

export function findDataset(db: Db, dataset: number | string): DatasetRow {
  const sqlite = db.$client;
  const row = (
    typeof dataset === "number"
      ? sqlite.prepare("SELECT id, name, last_at, first_at, report FROM datasets WHERE id = ?").get(dataset)
      : sqlite.prepare("SELECT id, name, last_at, first_at, report FROM datasets WHERE name = ?").get(dataset)
  ) as DatasetRow | undefined;
  if (!row)
    throw new ImportError(
      typeof dataset === "number" ? `No data set with id ${dataset}` : `No data set named "${dataset}"`,
      "not-found",
    );
  return row;
}

export async function updateDataset(db: Db, path: string, options: UpdateOptions): Promise<UpdateReport> {
  const started = performance.now();
  const fileName = options.fileName ?? basename(path);
  const until = checkUntil(options.until);
  const size = await checkFile(path);
  const target = findDataset(db, options.dataset);
  options.onProgress?.({ stage: "hashing" });
  const contentHash = await hashFile(path);
  const sqlite = db.$client;
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const id = target.id;
    const storedThrough = target.last_at;
    // the stored lines as a multiset, read once the file shows overlap
    let stored: Map<string, number> | null = null;
    let matched = 0;
    let notFound = 0;
    const onOverlap = (l: OverlapLine) => {
      if (stored === null) {
        stored = new Map();
        for (const [invoice, kind, product, quantity, amount] of storedLineKeys(sqlite, id)) {
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
    const firstIds = nextIds(sqlite);
    const result = await runPipeline(await openSource(path), {
      map: options.map,
      dateFormat: options.dateFormat,
      onProgress: options.onProgress,
      onLines: lineWriter(sqlite, id),
      firstIds,
      faultAfterLines: options.faultAfterLines,
      until,
      overlapThrough: storedThrough ?? undefined,
      onOverlap,
      knownProducts: storedProducts(sqlite, id),
    });
    options.onProgress?.({ stage: "deriving" });
    const t0 = performance.now();
    const newOrders = [...result.orders.values()];
    writeOrders(sqlite, id, newOrders);
    writeProducts(
      sqlite,
      id,
      [...result.products.values()].filter((p) => p.id >= firstIds.product),
    );
    const before = sqlite.prepare("SELECT COUNT(*) FROM customers WHERE dataset_id = ?").pluck().get(id) as number;
    // customers from every order, stored then new, in id order: the same facts a single import of both would give
    const all: OrderFacts[] = storedCustomerOrders(sqlite, id)
      .filter((o) => o.id < firstIds.order)
      .concat(newOrders.filter((o) => o.customerId !== null));
    const customers = customerFacts({ values: () => all });
    replaceCustomers(sqlite, id, customers.values());
    const importedAt = new Date().toISOString();
    const clean = buildReport(result, {
      name: target.name,
      fileName,
      bytes: size,
      contentHash,
      importedAt,
      started,
      derive: (performance.now() - t0) / 1000,
      until,
    });
    clean.linesRead -= result.counts.overlapLines; // the new period's lines; the overlap is reported apart
    const checked = result.layout.index.invoice !== undefined;
    const firstAt = [target.first_at, result.dateRange?.[0]].filter((d): d is string => !!d).sort()[0] ?? null;
    const lastAt =
      [target.last_at, result.dateRange?.[1]]
        .filter((d): d is string => !!d)
        .sort()
        .at(-1) ?? null;
    const combined = combine(JSON.parse(target.report) as ImportReport, clean, {
      customers: customers.size,
      countries: sqlite
        .prepare("SELECT COUNT(DISTINCT country) FROM orders WHERE dataset_id = ? AND country IS NOT NULL")
        .pluck()
        .get(id) as number,
      products: sqlite
        .prepare(
          "SELECT COUNT(DISTINCT l.product_id) FROM lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id WHERE l.dataset_id = ? AND o.kind = 'sale' AND p.non_merchandise = 0",
        )
        .pluck()
        .get(id) as number,
      dateRange: firstAt && lastAt ? [firstAt, lastAt] : null,
    });
    sqlite
      .prepare("UPDATE datasets SET first_at = ?, last_at = ?, report = ? WHERE id = ?")
      .run(firstAt, lastAt, JSON.stringify(combined), id);
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
    options.onProgress?.({ stage: "segments" });
    report.remeasured = (await options.beforeCommit?.(id)) ?? [];
    report.clean.seconds.total = (performance.now() - started) / 1000;
    sqlite
      .prepare(
        "INSERT INTO dataset_imports (dataset_id, kind, file_name, content_hash, imported_at, report) VALUES (?,?,?,?,?,?)",
      )
      .run(id, "update", fileName, contentHash, importedAt, JSON.stringify(report));
    sqlite.exec("COMMIT");
    options.onProgress?.({ stage: "done" });
    return report;
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw err;
  }
}

const sum2 = (a: number, b: number) => Math.round((a + b) * 100) / 100;

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
