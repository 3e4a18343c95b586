import { performance } from "node:perf_hooks";
import { AppError } from "~/lib/errors";
import { BigMap } from "~/lib/big-map";
import { stopwatch } from "~/lib/thread-cpu.server";
import { CsvReader, PIECE_CHARS, quote, type CsvProblem, type CsvRecord } from "./csv";
import { detectDateFormat, parseDate, plausibleDates, type DateFormat } from "./dates";
import { LineSet } from "./dedup";
import { IncrementalDecoder } from "./encoding";
import { FormatError, resolveLayout, type ColumnMap, type Layout } from "./formats";
import { parseMilli } from "./money";
import type { RejectedExample } from "./report";
import {
  MAX_REJECTED_EXAMPLES,
  MAX_REJECTED_SHARE,
  classify,
  isNonMerchandise,
  normaliseCustomer,
  type LineKind,
} from "./rules";
import type { Source } from "./source";
import { LINE_WIDTH, type CustomerFacts, type LineBatch, type OrderFacts, type ProductFacts } from "~/types/import";

export { LINE_WIDTH, type CustomerFacts, type LineBatch, type OrderFacts, type ProductFacts } from "~/types/import";

export type TracedLine = {
  line: number;
  outcome: "sale" | "return" | "duplicate" | "invalid" | "rejected";
  reason?: string;
  values?: {
    invoice: string | null;
    customer: string | null;
    date: string;
    quantity: number;
    price: number | null;
    amount: number;
    product: string | null;
    description: string | null;
    country: string | null;
  };
};

export type Progress = { stage: "reading"; bytesRead: number; totalBytes: number; linesRead: number };

export type PipelineOptions = {
  map?: ColumnMap;
  dateFormat?: DateFormat;
  onProgress?: (p: Progress) => void;
  /** Receives kept lines in batches, in file order (the store stage); reading waits for the promise it may return. */
  onLines?: (batch: LineBatch) => Promise<void> | void;
  /** The first ids to give new orders and products (the store's next free ids). */
  firstIds?: { order: number; product: number };
  /** Preview hook: told how each line was read and classified (the column-mapping form shows it). */
  trace?: (line: TracedLine) => void;
  /**
   * Test hook: throws once more than this many lines were read, at the end of the batch that passed it (after the
   * batch went to onLines), to prove that a failed load leaves nothing behind. Checked per batch, not per line.
   */
  faultAfterLines?: number;
  /** Days outside this range are rejected lines (default: 1990-01-01 to tomorrow, or PLAUSIBLE_DATES). */
  plausibleDates?: { from: string; to: string };
  /** `--until`: lines dated after this day (YYYY-MM-DD) are counted (linesAfterUntil) and left out. */
  until?: string;
  /**
   * An update (issue 13): lines dated on or before this timestamp are overlap with the stored data set. They are
   * classified by the same rules but never kept: each kept-by-the-rules one goes to onOverlap (to be matched against
   * the stored lines), each duplicate or invalid one is counted as overlapDropped.
   */
  overlapThrough?: string;
  onOverlap?: (line: OverlapLine) => void;
  /** The stored products of the data set being updated, by stock code (or description): new lines reuse their ids. */
  knownProducts?: Iterable<ProductFacts>;
};

/** An overlap line that the cleaning rules keep: what identifies it among the stored lines. */
export type OverlapLine = {
  invoice: string;
  kind: "sale" | "return";
  product: string | null;
  quantity: number;
  amount: number;
};

export type PipelineResult = {
  layout: Layout;
  encoding: string;
  dateFormat: DateFormat;
  counts: {
    linesRead: number;
    rejectedLines: number;
    duplicateLines: number;
    cancellationLines: number;
    invalidLines: number;
    salesLines: number;
    salesRevenue: number;
    salesLinesWithoutCustomer: number;
    customerSalesLines: number;
    customerRevenue: number;
    cancelledValue: number;
    nonMerchandiseLines: number;
    linesAfterUntil: number;
    overlapLines: number;
    overlapDropped: number;
  };
  invalidReasons: Record<string, number>;
  rejectedExamples: RejectedExample[];
  orders: BigMap<string, OrderFacts>;
  products: Map<string, ProductFacts>;
  customers: BigMap<string, CustomerFacts>;
  countries: number;
  merchandiseProducts: number;
  dateRange: [string, string] | null;
  seconds: { parse: number; clean: number; store: number };
  /** The same stages in this thread's CPU seconds. */
  cpuSeconds: { parse: number; clean: number; store: number };
};

/** A file that cannot be imported; "conflict" when only its file or name clashes with a stored data set (replace helps). */
export class ImportError extends AppError {}

const DETECTION_SAMPLE = 1000;

/** A copy of a string that shares no memory with the chunk it was sliced from (V8 keeps slices as views). */
const detach = (s: string): string => JSON.parse(JSON.stringify(s)) as string;
const WHOLE = /^\s*[+-]?\d{1,9}\s*$/;

/** String.prototype.trim, without the copy when there is nothing to trim (the usual case, on the hot path). */
function trim(s: string): string {
  return s.length === 0 || (s.charCodeAt(0) > 32 && s.charCodeAt(s.length - 1) > 32) ? s : s.trim();
}
const PROGRESS_EVERY_MS = 100;
const NO_LINES = new Float64Array(0);

/** Reads, parses and cleans one file, handing kept lines to onLines; throws ImportError/FormatError naming the problem. */
export async function runPipeline(source: Source, options: PipelineOptions = {}): Promise<PipelineResult> {
  const decoder = new IncrementalDecoder();
  const reader = new CsvReader();
  const seconds = { parse: 0, clean: 0, store: 0 };
  const cpuSeconds = { parse: 0, clean: 0, store: 0 };
  /** Adds the time a stopwatch read to a stage. */
  const lap = (stage: keyof typeof seconds, watch: ReturnType<typeof stopwatch>) => {
    const t = watch();
    seconds[stage] += t.seconds;
    cpuSeconds[stage] += t.cpuSeconds;
  };
  let cleaner: Cleaner | null = null;
  let header: CsvRecord | null = null;
  let pending: CsvRecord[] = []; // records held back until the date format is known
  const problems: CsvProblem[] = [];
  let firstChunk = true;
  let lastProgress = 0;
  let anyBytes = false;
  let bytesRead = 0;

  /** Cleans records into `kept`; the first ones wait (pending) until the date format is known. */
  const clean = (records: CsvRecord[], final: boolean, chunkEnd: boolean, kept: LineBatch) => {
    if (!cleaner) {
      if (!header) {
        if (records.length === 0) return;
        header = records.shift()!;
      }
      pending.push(...records);
      // the format is told from every line of the first chunk (at least DETECTION_SAMPLE), pieces or not
      if ((pending.length < DETECTION_SAMPLE || !chunkEnd) && !final) return;
      cleaner = new Cleaner(header, options, pending, estimateLines(source.totalBytes, header.raw.length, pending));
      records = pending;
      pending = [];
    }
    const cleaning = stopwatch();
    cleaner.clean(records, problems.splice(0), kept);
    lap("clean", cleaning);
  };

  /** The end of a chunk: its kept lines go to the store stage. */
  const store = async (kept: LineBatch) => {
    if (!cleaner) return;
    cleaner.endChunk();
    const storing = stopwatch();
    if (kept.rows && options.onLines) await options.onLines(kept);
    lap("store", storing);
    // the tests' fault, between the stages (cleaned and stored lines, the next chunk), never in the per-line loop
    if (options.faultAfterLines !== undefined && cleaner.linesRead > options.faultAfterLines)
      throw new ImportError(`Injected fault after ${options.faultAfterLines} lines`);
  };

  /**
   * Reads a decoded chunk, in pieces of about PIECE_CHARS ending at line ends: the records of a piece are cleaned while
   * young (a whole chunk's records outlived the young generation: the garbage collector copied them). The records are
   * those of the whole chunk: a piece starts only when the reader holds no more than a short tail, and once it holds
   * part of a record (a quoted line end), the rest of the chunk is read whole. Not when tracing (the preview shows the
   * lines in the order a whole chunk gives them).
   */
  const read = async (text: string, final: boolean) => {
    const kept: LineBatch = { values: NO_LINES, rows: 0 };
    let from = 0;
    do {
      let to = text.length;
      if (!options.trace && to - from > PIECE_CHARS && reader.held <= (from === 0 ? PIECE_CHARS : 0)) {
        const nl = text.lastIndexOf("\n", from + PIECE_CHARS);
        if (nl >= from) to = nl + 1;
      }
      const parsing = stopwatch();
      const records: CsvRecord[] = [];
      reader.push(
        from === 0 && to === text.length ? text : text.slice(from, to),
        final && to === text.length,
        (r) => records.push(r),
        (p) => problems.push(p),
      );
      lap("parse", parsing);
      clean(records, final && to === text.length, to === text.length, kept);
      from = to;
    } while (from < text.length);
    await store(kept);
  };

  for await (const chunk of source.chunks) {
    if (chunk.length === 0) continue;
    anyBytes = true;
    bytesRead += chunk.length;
    const decoding = stopwatch();
    if (firstChunk) {
      firstChunk = false;
      if (chunk.subarray(0, 8192).includes(0))
        throw new ImportError("This is not a CSV text file: it contains binary data");
      // classic Mac line ends: the whole file would be one line, refused with a message quoting its middle
      if (!chunk.includes(0x0a) && chunk.includes(0x0d))
        throw new ImportError(
          "The file's lines end with CR only (classic Mac line ends): save it with LF or CRLF line ends and import again",
        );
    }
    const text = decoder.decode(chunk);
    lap("parse", decoding);
    await read(text, false);
    const at = performance.now();
    if (options.onProgress && at - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = at;
      options.onProgress({
        stage: "reading",
        bytesRead: Math.min(bytesRead, source.totalBytes),
        totalBytes: source.totalBytes,
        linesRead: (cleaner as Cleaner | null)?.linesRead ?? 0,
      });
    }
  }
  if (!anyBytes) throw new ImportError("The file is empty");
  const ending = stopwatch();
  const tail = decoder.end();
  lap("parse", ending);
  await read(tail, true);
  if (!header) throw new ImportError("The file has no header line");
  if (!cleaner) cleaner = new Cleaner(header, options, [], 0);
  const c = cleaner as Cleaner;
  if (problems.length) {
    c.clean([], problems.splice(0), { values: NO_LINES, rows: 0 });
    c.endChunk();
  }
  if (c.linesRead === 0) throw new ImportError("The file has a header but no data lines");
  options.onProgress?.({
    stage: "reading",
    bytesRead: source.totalBytes,
    totalBytes: source.totalBytes,
    linesRead: c.linesRead,
  });
  return c.result(decoder.encoding ?? "utf-8", seconds, cpuSeconds);
}

/** Lines the file probably holds, from the average length of the first ones: sizes the duplicate table once. */
function estimateLines(totalBytes: number, headerLength: number, sample: CsvRecord[]): number {
  if (sample.length === 0) return 0;
  const average = sample.reduce((sum, r) => sum + r.raw.length + 1, 0) / sample.length;
  return Math.min(50_000_000, Math.ceil((totalBytes - headerLength) / average));
}

/** A line as `parse` read it: one object, reused from line to line, so that the per-line loop allocates nothing. */
type ReadLine = {
  invoice: string;
  at: string;
  quantity: number;
  unitPrice: number | null;
  amount: number;
  customerId: string | null;
};

/**
 * Applies the cleaning policy line by line, in three steps: `parse` reads a record's fields (or rejects it, with the
 * reason), `classify` (rules.ts) says what the line is, `aggregate` counts it and keeps the per-order, per-product and
 * per-customer facts and the kept line.
 */
class Cleaner {
  readonly layout: Layout;
  readonly dateFormat: DateFormat;
  linesRead = 0;
  private rejected = 0;
  private duplicates = 0;
  private cancellations = 0;
  private invalid = 0;
  private sales = 0;
  private salesRevenue = 0;
  private anonymousSales = 0;
  private customerSales = 0;
  private customerRevenue = 0;
  private cancelledValue = 0;
  private nonMerchandise = 0;
  private afterUntil = 0;
  private overlapLines = 0;
  private overlapDropped = 0;
  private readonly untilEnd: string | null;
  private readonly overlapThrough: string | null;
  private invalidReasons: Record<string, number> = {};
  private examples: RejectedExample[] = [];
  private readonly chunkRejects: RejectedExample[] = [];
  private seen: LineSet;
  private orders = new BigMap<string, OrderFacts>();
  /** Each country once, as its own string: a slice of the decoded chunk would keep the whole chunk alive. */
  private countries = new Map<string, string>();
  private products = new Map<string, ProductFacts>();
  private merchandise = new Set<number>();
  private nextOrderId: number;
  private nextProductId: number;
  private lastDateText: string | null = null;
  private lastAt: string | null = null;
  private lastCustomerText: string | null = null;
  private lastCustomer: string | null = null;
  private lastOrder: OrderFacts | null = null;
  private first: string | null = null;
  private last: string | null = null;
  private readonly width: number;
  private readonly idx: Layout["index"];
  private readonly hasInvoice: boolean;
  private readonly line: ReadLine = { invoice: "", at: "", quantity: 0, unitPrice: null, amount: 0, customerId: null };
  private readonly options: PipelineOptions;

  private readonly plausible: { from: string; to: string };
  /** Σ |amount| of the lines read: bounds every sum taken over them. */
  private absoluteTotal = 0;
  private readonly plausibleEnd: string;

  constructor(header: CsvRecord, options: PipelineOptions, sample: CsvRecord[], expectedLines: number) {
    this.options = options;
    this.plausible = options.plausibleDates ?? plausibleDates();
    this.plausibleEnd = `${this.plausible.to}U`; // every timestamp of the last day sorts before it (as untilEnd)
    this.seen = new LineSet(expectedLines);
    this.nextOrderId = options.firstIds?.order ?? 1;
    this.nextProductId = options.firstIds?.product ?? 1;
    for (const p of options.knownProducts ?? []) this.products.set(p.stockCode, p);
    // timestamps are "YYYY-MM-DDTHH:MM:SS": every one of the day sorts before the day followed by "U"
    this.untilEnd = options.until ? `${options.until}U` : null;
    this.overlapThrough = options.overlapThrough ?? null;
    const names = header.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h));
    this.layout = resolveLayout(names, options.map);
    this.idx = this.layout.index;
    this.hasInvoice = this.idx.invoice !== undefined;
    this.width = names.length;
    if (options.dateFormat) this.dateFormat = options.dateFormat;
    else if (sample.length === 0)
      this.dateFormat = "M/D/YYYY H:MM"; // no lines: nothing to read (reported below)
    else {
      const di = this.idx.date!;
      const detected = detectDateFormat(sample.map((r) => (r.fields[di] ?? "").trim()));
      if (!detected) {
        const example = sample.find((r) => r.fields.length === this.width)?.fields[di];
        throw new FormatError(
          example === undefined
            ? "No date could be read in the first lines of the file"
            : `Unrecognised date format (e.g. "${quote(example)}"): use ISO 8601, M/D/YYYY H:MM or YYYYMMDD, or give --date-format`,
        );
      }
      this.dateFormat = detected;
    }
  }

  /** A rejected line; the examples of lines that were read but not parsed wait for the end of their chunk (chunkRejects). */
  private reject(line: number, reason: string, text: string, examples = this.examples) {
    this.options.trace?.({ line, outcome: "rejected", reason });
    this.rejected++;
    this.linesRead++;
    if (examples.length < MAX_REJECTED_EXAMPLES) examples.push({ line, reason, text: text.slice(0, 200) });
  }

  /**
   * Cleans records, appending the kept lines to `kept`. Within a chunk, the examples of rejected lines list the
   * reader's problems first, then the lines that could not be parsed (endChunk): the order a whole chunk gave.
   */
  clean(records: CsvRecord[], problems: CsvProblem[], kept: LineBatch): void {
    for (const p of problems) this.reject(p.line, p.reason, p.raw);
    if ((kept.rows + records.length) * LINE_WIDTH > kept.values.length) {
      const grown = new Float64Array(Math.max(2 * kept.values.length, (kept.rows + records.length) * LINE_WIDTH));
      grown.set(kept.values.subarray(0, kept.rows * LINE_WIDTH));
      kept.values = grown;
    }
    const line = this.line;
    for (const r of records) {
      const problem = this.parse(r);
      if (problem !== null) {
        this.reject(r.line, problem, r.raw, this.chunkRejects);
        continue;
      }
      if (this.untilEnd !== null && line.at > this.untilEnd) {
        this.afterUntil++;
        continue;
      }
      this.linesRead++;
      // Rule 2: exact duplicates are dropped only when the file has an invoice column.
      const duplicate = this.hasInvoice && !this.seen.add(r.fields);
      const { kind, reason } = classify(
        this.hasInvoice ? line.invoice : null,
        line.quantity,
        line.unitPrice,
        line.amount,
        duplicate,
      );
      if (this.overlapThrough !== null && line.at <= this.overlapThrough) this.overlap(r.fields, kind);
      else this.aggregate(r, kind, reason, kept);
    }
  }

  /** The end of a chunk: the examples of its lines that could not be parsed join the report's, after its problems. */
  endChunk(): void {
    for (const e of this.chunkRejects) if (this.examples.length < MAX_REJECTED_EXAMPLES) this.examples.push(e);
    this.chunkRejects.length = 0;
  }

  /** Reads a record's fields into `this.line`; returns why the line is rejected, or null. */
  private parse(r: CsvRecord): string | null {
    const f = r.fields;
    const { idx, line } = this;
    if (f.length !== this.width) return `expected ${this.width} fields, found ${f.length}`;
    const invoice = this.hasInvoice ? trim(f[idx.invoice!]) : "";
    if (this.hasInvoice && invoice === "") return "missing invoice";
    const dateText = f[idx.date!];
    if (dateText !== this.lastDateText) {
      // consecutive lines of an invoice share their timestamp: parse each distinct text once
      this.lastAt = parseDate(dateText.trim(), this.dateFormat);
      this.lastDateText = dateText;
    }
    const at = this.lastAt;
    if (at === null) return `unreadable date "${quote(dateText.trim())}" (expected ${this.dateFormat})`;
    if (at < this.plausible.from || at > this.plausibleEnd)
      return `date ${at.slice(0, 10)} is outside the plausible range ${this.plausible.from} … ${this.plausible.to} (PLAUSIBLE_DATES changes it)`;
    let quantity = 1;
    if (idx.quantity !== undefined) {
      const q = f[idx.quantity];
      quantity = WHOLE.test(q) ? Number(q) : NaN;
      if (Number.isNaN(quantity)) return `quantity "${quote(q.trim())}" is not a whole number`;
    }
    let unitPrice: number | null = null;
    let amount: number;
    if (idx.amount !== undefined) {
      const a = f[idx.amount].trim();
      const parsed = parseMilli(a);
      if (!parsed.ok) return `amount "${quote(a)}" ${parsed.reason}`;
      amount = parsed.milli;
    } else {
      const p = trim(f[idx.price!]);
      const parsed = parseMilli(p);
      if (!parsed.ok) return `price "${quote(p)}" ${parsed.reason}`;
      unitPrice = parsed.milli;
      amount = quantity * unitPrice;
      if (!Number.isSafeInteger(amount)) return "quantity × price is too large";
    }
    // every total (revenue, a customer's spend) is a sum of these: past 2⁵³ thousandths it would silently lose digits
    if (Math.abs(amount) > Number.MAX_SAFE_INTEGER - this.absoluteTotal)
      return "amount would take the file's total past 9,007,199,254,740.991 (2⁵³ thousandths), where sums are no longer exact";
    this.absoluteTotal += Math.abs(amount);
    const customerText = f[idx.customer!];
    if (customerText !== this.lastCustomerText) {
      this.lastCustomer = normaliseCustomer(customerText);
      this.lastCustomerText = customerText;
    }
    line.invoice = invoice;
    line.at = at;
    line.quantity = quantity;
    line.unitPrice = unitPrice;
    line.amount = amount;
    line.customerId = this.lastCustomer;
    return null;
  }

  /** An update's line dated within the stored data: classified by the same rules, never kept (issue 13). */
  private overlap(f: string[], kind: LineKind): void {
    this.overlapLines++;
    if (kind !== "sale" && kind !== "return") {
      this.overlapDropped++;
      return;
    }
    const { idx, line } = this;
    const code = idx.product !== undefined ? trim(f[idx.product]) : "";
    const description = idx.description !== undefined ? trim(f[idx.description]) : "";
    const name = this.hasInvoice ? line.invoice : `${line.customerId ?? "-"}@${line.at}`;
    this.options.onOverlap?.({
      invoice: name,
      kind,
      product: code || description || null,
      quantity: line.quantity,
      amount: line.amount,
    });
  }

  /** Counts a classified line; a sale or return joins its order and product and goes to the batch of kept lines. */
  private aggregate(r: CsvRecord, kind: LineKind, reason: string | null, kept: LineBatch): void {
    const trace = this.options.trace;
    if (kind === "duplicate") {
      this.duplicates++;
      trace?.({ ...this.traced(r), outcome: "duplicate" });
      return;
    }
    if (kind === "invalid") {
      this.invalid++;
      this.invalidReasons[reason!] = (this.invalidReasons[reason!] ?? 0) + 1;
      trace?.({ ...this.traced(r), outcome: "invalid", reason: reason! });
      return;
    }
    const { invoice, at, quantity, unitPrice, amount, customerId } = this.line;
    if (kind === "return") {
      this.cancellations++;
      this.cancelledValue += Math.abs(amount);
    } else {
      this.sales++;
      this.salesRevenue += amount;
      if (customerId === null) this.anonymousSales++;
      else {
        this.customerSales++;
        this.customerRevenue += amount;
      }
    }
    trace?.({ ...this.traced(r), outcome: kind });
    const f = r.fields;
    const product = this.product(f, kind);
    if (product?.nonMerchandise) this.nonMerchandise++;
    let order = this.lastOrder;
    if (
      order === null ||
      order.kind !== kind ||
      (this.hasInvoice ? order.invoice !== invoice : order.at !== at || order.customerId !== customerId)
    ) {
      // Without an invoice column, a customer's lines with the same timestamp form one order (PRODUCT.md §1).
      const name = this.hasInvoice ? invoice : `${customerId ?? "-"}@${at}`;
      const key = (kind === "sale" ? "s" : "r") + name;
      order = this.orders.get(key) ?? this.newOrder(key, f, kind, name, customerId, at);
      this.lastOrder = order;
    }
    if (order.customerId === null && customerId !== null) order.customerId = customerId;
    order.lines++;
    order.amount += amount;
    const out = kept.values;
    const at6 = kept.rows++ * LINE_WIDTH;
    out[at6] = order.id;
    out[at6 + 1] = r.line;
    out[at6 + 2] = product ? product.id : NaN;
    out[at6 + 3] = quantity;
    out[at6 + 4] = unitPrice ?? NaN;
    out[at6 + 5] = amount;
  }

  /** The line as the column-mapping preview shows it (only when it traces). */
  private traced(r: CsvRecord): Omit<TracedLine, "outcome"> {
    const { idx, line } = this;
    const f = r.fields;
    return {
      line: r.line,
      values: {
        invoice: this.hasInvoice ? line.invoice : null,
        customer: line.customerId,
        date: line.at,
        quantity: line.quantity,
        price: line.unitPrice,
        amount: line.amount,
        product: idx.product !== undefined ? trim(f[idx.product]) || null : null,
        description: idx.description !== undefined ? trim(f[idx.description]) || null : null,
        country: idx.country !== undefined ? trim(f[idx.country]) || null : null,
      },
    };
  }

  private newOrder(
    key: string,
    f: string[],
    kind: "sale" | "return",
    invoice: string,
    customerId: string | null,
    at: string,
  ): OrderFacts {
    const raw = this.idx.country !== undefined ? f[this.idx.country].trim() || null : null;
    let country = raw && (this.countries.get(raw) ?? null);
    if (raw && !country) this.countries.set(raw, (country = detach(raw)));
    if (this.first === null || at < this.first) this.first = at;
    if (this.last === null || at > this.last) this.last = at;
    const order: OrderFacts = {
      id: this.nextOrderId++,
      invoice,
      kind,
      customerId,
      country,
      at,
      month: at.slice(0, 7),
      lines: 0,
      amount: 0,
    };
    this.orders.set(key, order);
    return order;
  }

  /** The line's product: its stock code, else its description; the first description seen names it. */
  private product(f: string[], kind: "sale" | "return"): ProductFacts | null {
    const code = this.idx.product !== undefined ? trim(f[this.idx.product]) : "";
    const description = this.idx.description !== undefined ? trim(f[this.idx.description]) : "";
    const key = code !== "" ? code : description;
    if (key === "") return null;
    let p = this.products.get(key);
    if (!p) {
      p = {
        id: this.nextProductId++,
        stockCode: detach(key),
        description: description ? detach(description) : null,
        nonMerchandise: isNonMerchandise(key),
      };
      this.products.set(key, p);
    } else if (p.description === null && description !== "") p.description = detach(description);
    if (kind === "sale" && !p.nonMerchandise) this.merchandise.add(p.id);
    return p;
  }

  result(
    encoding: string,
    seconds: PipelineResult["seconds"],
    cpuSeconds: PipelineResult["cpuSeconds"],
  ): PipelineResult {
    if (this.linesRead > 0 && this.rejected / this.linesRead > MAX_REJECTED_SHARE) {
      const ex = this.examples[0];
      throw new ImportError(
        `${this.rejected} of ${this.linesRead} lines (${((100 * this.rejected) / this.linesRead).toFixed(1)}%) could not be read, more than the 5% allowed` +
          (ex ? `; first at line ${ex.line}: ${ex.reason}` : ""),
      );
    }
    return {
      layout: this.layout,
      encoding,
      dateFormat: this.dateFormat,
      counts: {
        linesRead: this.linesRead,
        rejectedLines: this.rejected,
        duplicateLines: this.duplicates,
        cancellationLines: this.cancellations,
        invalidLines: this.invalid,
        salesLines: this.sales,
        salesRevenue: this.salesRevenue,
        salesLinesWithoutCustomer: this.anonymousSales,
        customerSalesLines: this.customerSales,
        customerRevenue: this.customerRevenue,
        cancelledValue: this.cancelledValue,
        nonMerchandiseLines: this.nonMerchandise,
        linesAfterUntil: this.afterUntil,
        overlapLines: this.overlapLines,
        overlapDropped: this.overlapDropped,
      },
      invalidReasons: this.invalidReasons,
      rejectedExamples: this.examples,
      orders: this.orders,
      customers: customerFacts(this.orders),
      countries: this.countries.size,
      products: this.products,
      merchandiseProducts: this.merchandise.size,
      dateRange: this.first && this.last ? [this.first, this.last] : null,
      seconds,
      cpuSeconds,
    };
  }
}

/** Customer facts from their orders: first/last purchase, orders, revenue (sales) and returns (cancellations). */
export function customerFacts(orders: { values(): Iterable<OrderFacts> }): BigMap<string, CustomerFacts> {
  const customers = new BigMap<string, CustomerFacts>();
  for (const o of orders.values()) {
    if (o.customerId === null || o.kind !== "sale") continue;
    const c = customers.get(o.customerId);
    if (!c) {
      customers.set(o.customerId, {
        customerId: o.customerId,
        country: o.country,
        firstAt: o.at,
        lastAt: o.at,
        orders: 1,
        salesLines: o.lines,
        revenue: o.amount,
        returnOrders: 0,
        returns: 0,
      });
    } else {
      c.orders++;
      c.salesLines += o.lines;
      c.revenue += o.amount;
      if (o.at < c.firstAt) {
        c.firstAt = o.at;
        c.country = o.country;
      }
      if (o.at > c.lastAt) c.lastAt = o.at;
    }
  }
  for (const o of orders.values()) {
    if (o.customerId === null || o.kind !== "return") continue;
    const c = customers.get(o.customerId);
    if (c) {
      c.returnOrders++;
      c.returns += Math.abs(o.amount);
    }
  }
  return customers;
}
