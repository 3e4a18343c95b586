// Shapes shared by ingest (which produces them) and the store (which writes and reads them). Types only, and the one
// layout constant of the line batch, so that db/ never imports ingest/.

export type Encoding = "utf-8" | "utf-8-bom" | "windows-1252";
export type FormatName = "online-retail" | "online-retail-ii" | "mapped";

/**
 * Kept lines (sales and cancellations) travel to the store stage as flat tuples, LINE_WIDTH numbers each:
 * order id, line number, product id, quantity, unit price in thousandths, amount in thousandths; NaN stands for null.
 * A typed array, because pushing mixed values into a JS array was the hottest line of the import.
 */
export const LINE_WIDTH = 6;
export type LineBatch = { values: Float64Array; rows: number };

export type ProductFacts = { id: number; stockCode: string; description: string | null; nonMerchandise: boolean };

export type OrderFacts = {
  id: number;
  invoice: string;
  kind: "sale" | "return";
  customerId: string | null;
  country: string | null;
  at: string;
  month: string;
  lines: number;
  amount: number;
};

export type CustomerFacts = {
  customerId: string;
  country: string | null;
  firstAt: string;
  lastAt: string;
  orders: number;
  salesLines: number;
  revenue: number;
  returnOrders: number;
  returns: number;
};

/**
 * An update's data read and cleaned but not yet written (ingest/update.server.ts): what the later stages derive their
 * tables from before the update takes the write lock. Ids are those the rows will have unless another import lands
 * meanwhile (then they move past its ids, in the same order).
 */
export type PendingUpdate = {
  datasetId: number;
  /** The data set's last transaction after the update. */
  lastAt: string | null;
  /** Every customer of the data set after the update. */
  customers: CustomerFacts[];
  /** The new orders and products (stored products are reused by stock code), in id order. */
  orders: OrderFacts[];
  products: ProductFacts[];
  /** The new lines: order id, product id, quantity, amount (thousandths). */
  lineCount: number;
  lines: () => Iterable<[number, number | null, number, number]>;
};

export type RejectedExample = { line: number; reason: string; text: string };

/** An import's stages, timed (ImportReport's seconds and cpuSeconds). */
export type StageSeconds = {
  parse: number;
  clean: number;
  store: number;
  derive: number;
  total: number;
  locked?: number;
  segments?: number;
  columnFile?: number;
};

/** The persisted import report (PRODUCT.md §1): every count of the cleaning policy. Money in currency units, to the cent. */
export type ImportReport = {
  dataset: string;
  fileName: string;
  bytes: number;
  contentHash: string;
  encoding: Encoding;
  format: FormatName;
  dateFormat: string;
  header: string[];
  linesRead: number;
  rejectedLines: number;
  duplicateLines: number;
  cancellationLines: number;
  invalidLines: number;
  invalidReasons: Record<string, number>;
  salesLines: number;
  salesRevenue: number;
  salesLinesWithoutCustomer: number;
  customerSalesLines: number;
  customers: number;
  invoices: number;
  customerInvoices: number;
  customerRevenue: number;
  cancellationInvoices: number;
  cancelledValue: number;
  nonMerchandiseLines: number;
  countries: number;
  products: number;
  dateRange: [string, string] | null;
  rejectedExamples: RejectedExample[];
  /**
   * locked: how long the import held the database's write lock (staged imports copy their lines in at the end);
   * segments: the later stages' tables (RFM, segments, personas; an update's measured results) derived before it;
   * columnFile: spooling the kept lines and writing the column file after the commit (decision 0014; not in total).
   */
  seconds: StageSeconds;
  /**
   * The same stages in CPU seconds, which grow with the work whatever else the machine runs: parse, clean, store,
   * derive, locked and columnFile of the importing thread; segments of the threads that derived them; total of every
   * thread. Reports stored before it have none.
   */
  cpuSeconds?: StageSeconds;
  importedAt: string;
  /** `--until` (issue 13): the last day kept, and how many lines were dated after it and left out. */
  until?: string;
  linesAfterUntil?: number;
};

/**
 * The report of a data set update (issue 13): the new period's lines through every rule of the cleaning policy (the
 * ImportReport counts, over the lines dated after the stored data), and the overlap: lines dated on or before the
 * data set's last stored transaction, counted, matched against the stored lines when the file has an invoice column,
 * never added.
 */
export type UpdateReport = {
  kind: "update";
  datasetId: number;
  /** The data set's last stored transaction before the update: lines after it are new. */
  storedThrough: string | null;
  /** Lines added: the new period's sales and cancellation lines. */
  added: number;
  /** Lines read on or before storedThrough, and what became of them. */
  overlap: { lines: number; matched: number | null; notFound: number | null; dropped: number; checked: boolean };
  newCustomers: number;
  /** Running experiments measured again from the updated data. */
  remeasured: number[];
  /** The new period through the cleaning policy (linesRead counts the new period only). */
  clean: ImportReport;
};
