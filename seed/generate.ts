import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { BANK, COUNTRIES, DOTCOM, MANUAL, POSTAGE, makeCatalog, type Product } from "./catalog";
import { Random, WeightedPicker, childSeed } from "./random";

// The deterministic demo-data generator (PRODUCT.md §1 "Demo data"): an Online-Retail-shaped shop over 13 months,
// written in the Online Retail layout (ISO-8859-1, CRLF, M/D/YYYY H:MM) so it enters through the one import path.
// Customers buy by a BG/NBD-like process (a personal purchase rate that is Gamma-distributed, a Beta-distributed chance
// of dropping out after each purchase), thinned by the shop's seasonality: a November peak, a short December.

export type SeedOptions = { lines: number; seed: number };
export const DEFAULT_SEED_OPTIONS: SeedOptions = { lines: 500_000, seed: 42 };
export const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

const START = Date.UTC(2010, 11, 1);
const DAYS = 374; // 2010-12-01 … 2011-12-09, as the Online Retail data
const MONTH_SEASON: Record<string, number> = {
  "2010-12": 1.0,
  "2011-01": 0.72,
  "2011-02": 0.68,
  "2011-03": 0.9,
  "2011-04": 0.78,
  "2011-05": 0.95,
  "2011-06": 0.92,
  "2011-07": 0.9,
  "2011-08": 0.92,
  "2011-09": 1.3,
  "2011-10": 1.45,
  "2011-11": 1.8,
  "2011-12": 1.25,
};
const MAX_SEASON = 1.8;
const HOURS: [number, number][] = [
  [7, 0.3],
  [8, 1.5],
  [9, 3],
  [10, 4.5],
  [11, 5],
  [12, 6.5],
  [13, 5.8],
  [14, 5],
  [15, 4.5],
  [16, 3],
  [17, 1.7],
  [18, 0.5],
  [19, 0.6],
  [20, 0.2],
];
const PACKS = [1, 2, 3, 4, 6, 8, 10, 12, 12, 12, 24, 24, 36, 48];
const PACK_WEIGHTS = [8, 6, 3, 4, 6, 2, 3, 10, 0, 0, 5, 0, 2, 2];
const STOCK_NOTES = ["?", "damaged", "check", "wet damaged", "found", "adjustment", "", "sold as set on dotcom"];

type Customer = { id: string; country: string; wholesale: boolean; basket: number };
type Kind = "sale" | "cancel" | "stock" | "adjust";
type Invoice = {
  kind: Kind;
  day: number;
  minute: number;
  customer: number; // index, or -1 for a guest
  weight: number;
  lines: number;
  seed: number;
  duplicates: number;
  zeroPrice: number;
  original?: Invoice; // a cancellation's invoice
  number?: string;
};

const dayDate = (day: number) => new Date(START + day * 86_400_000);
const isOpen = (day: number) => dayDate(day).getUTCDay() !== 6; // the shop ships no orders on Saturdays
const season = (day: number) => MONTH_SEASON[dayDate(day).toISOString().slice(0, 7)];

function formatDate(day: number, minute: number): string {
  const d = dayDate(day);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, "0")}`;
}

function formatPrice(milli: number): string {
  const sign = milli < 0 ? "-" : "";
  const abs = Math.abs(milli);
  const frac = String(abs % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  return `${sign}${Math.floor(abs / 1000)}${frac ? "." + frac : ""}`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Distributes `total` over the weights (largest remainder, at least 1 each). */
function apportion(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - weights.length;
  const raw = weights.map((w) => (w / sum) * spare);
  const out = raw.map((r) => 1 + Math.floor(r));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

class Shop {
  readonly rng: Random;
  readonly catalog: Product[];
  readonly popularity: WeightedPicker;
  readonly hours = new WeightedPicker(HOURS.map((h) => h[1]));
  readonly packs = new WeightedPicker(PACK_WEIGHTS);
  readonly customers: Customer[] = [];
  readonly invoices: Invoice[] = [];

  constructor(readonly options: SeedOptions) {
    this.rng = new Random(options.seed);
    const n = options.lines;
    this.catalog = makeCatalog(Math.max(200, Math.min(4000, Math.round(n / 170))), this.rng);
    this.popularity = new WeightedPicker(this.catalog.map((_, i) => 1 / Math.pow(i + 1, 0.9)));
    this.makeCustomers(Math.max(30, Math.round(n / 125)));
    this.makeSales();
    this.makeExtras();
  }

  private minute(): number {
    return HOURS[this.hours.pick(this.rng)][0] * 60 + this.rng.int(0, 59);
  }

  private makeCustomers(count: number) {
    const rng = this.rng;
    const countries = new WeightedPicker(COUNTRIES.map((c) => c[1]));
    let id = 12346;
    for (let i = 0; i < count; i++) {
      id += rng.int(1, 2);
      const wholesale = rng.chance(0.06);
      this.customers.push({
        id: String(id),
        country: COUNTRIES[countries.pick(rng)][0],
        wholesale,
        basket: rng.logNormal(1, 0.5) * (wholesale ? 2 : 1),
      });
    }
  }

  private makeSales() {
    const rng = this.rng;
    // acquisition: the first month brings the shop's existing customers, later months new ones, following the season
    const acquisition = new WeightedPicker(
      Array.from({ length: DAYS }, (_, d) => (isOpen(d) ? season(d) * (d < 31 ? 4 : 1) : 0)),
    );
    this.customers.forEach((c, index) => {
      const rate = rng.gamma(0.9, 0.045 / 0.9) * (c.wholesale ? 2.5 : 1); // purchases per day while active
      const dropout = rng.beta(1, 5);
      let t = acquisition.pick(rng) + rng.next();
      for (;;) {
        this.invoices.push(this.sale(Math.floor(t), index, c.basket * rng.logNormal(14, 0.7)));
        if (rng.chance(dropout)) break;
        let next = t;
        do next += rng.exponential(rate * MAX_SEASON);
        while (next < DAYS && (!isOpen(Math.floor(next)) || !rng.chance(season(Math.floor(next)) / MAX_SEASON)));
        if (next >= DAYS) break;
        t = next;
      }
    });
    // guests (no CustomerID): fewer, larger invoices, together about a quarter of all lines
    const days = new WeightedPicker(Array.from({ length: DAYS }, (_, d) => (isOpen(d) ? season(d) : 0)));
    const guests = Math.round(this.invoices.length * 0.09);
    for (let i = 0; i < guests; i++) this.invoices.push(this.sale(days.pick(rng), -1, rng.logNormal(60, 0.8)));
  }

  private sale(day: number, customer: number, weight: number): Invoice {
    return {
      kind: "sale",
      day,
      minute: this.minute(),
      customer,
      weight,
      lines: 0,
      seed: childSeed(this.options.seed, this.invoices.length),
      duplicates: 0,
      zeroPrice: 0,
    };
  }

  /** Cancellations (~2% of lines), exact duplicates (~1%) and invalid lines (~0.4%), within the line budget. */
  private makeExtras() {
    const { rng, invoices } = this;
    const n = this.options.lines;
    let cancelLines = Math.round(n * 0.02);
    const duplicateLines = Math.round(n * 0.01);
    const invalidLines = Math.round(n * 0.004);
    const sales = invoices.slice();
    const base = n - cancelLines - duplicateLines - invalidLines;
    if (base < sales.length)
      throw new Error(`--lines ${n} is too small for the demo shop (at least ${Math.ceil(sales.length / 0.96)})`);
    apportion(
      sales.map((s) => s.weight),
      base,
    ).forEach((lines, i) => (sales[i].lines = lines));
    const customerSales = sales.filter((s) => s.customer >= 0);
    const guestSales = sales.filter((s) => s.customer < 0);
    while (cancelLines > 0) {
      const original = rng.pick(customerSales);
      const lines = Math.min(rng.int(1, 4), original.lines, cancelLines);
      const day = Math.min(DAYS - 1, original.day + rng.int(0, 20));
      invoices.push({
        kind: "cancel",
        day,
        minute: this.minute(),
        customer: original.customer,
        weight: 0,
        lines,
        seed: childSeed(original.seed, 7),
        duplicates: 0,
        zeroPrice: 0,
        original,
      });
      cancelLines -= lines;
    }
    for (let i = 0; i < duplicateLines; i++) rng.pick(sales).duplicates++;
    let invalid = invalidLines;
    if (invalid >= 6) {
      // "Adjust bad debt" lines with A invoices, as in the real file
      for (let i = 0; i < 3; i++)
        invoices.push({
          kind: "adjust",
          day: DAYS - 120 + i,
          minute: 14 * 60 + i,
          customer: -1,
          weight: 0,
          lines: 1,
          seed: i,
          duplicates: 0,
          zeroPrice: 0,
        });
      invalid -= 3;
    }
    const zeroPrice = Math.round(invalid * 0.4);
    for (let i = 0; i < zeroPrice; i++) rng.pick(guestSales.length ? guestSales : sales).zeroPrice++;
    invalid -= zeroPrice;
    while (invalid > 0) {
      const lines = Math.min(invalid, rng.int(1, 3));
      invoices.push({
        kind: "stock",
        day: rng.int(0, DAYS - 1),
        minute: this.minute(),
        customer: -1,
        weight: 0,
        lines,
        seed: childSeed(this.options.seed, 1e7 + invalid),
        duplicates: 0,
        zeroPrice: 0,
      });
      invalid -= lines;
    }
    invoices.sort((a, b) => a.day - b.day || a.minute - b.minute);
    invoices.forEach((inv, i) => {
      const number = String(536365 + i);
      inv.number = inv.kind === "cancel" ? `C${number}` : inv.kind === "adjust" ? `A${number}` : number;
    });
  }

  /** The merchandise lines of a sale, drawn from its own seed so that a cancellation can copy them. */
  saleLines(inv: Invoice): [Product, number, number][] {
    const rng = new Random(inv.seed);
    const c = inv.customer >= 0 ? this.customers[inv.customer] : null;
    const out: [Product, number, number][] = [];
    const taken = new Set<number>();
    for (let j = 0; j < inv.lines; j++) {
      if (j === 0 && c && c.country !== "United Kingdom" && rng.chance(0.7)) {
        out.push([POSTAGE, rng.int(1, 3), POSTAGE.price]);
        continue;
      }
      if (j === 0 && !c && rng.chance(0.3)) {
        out.push([DOTCOM, 1, rng.int(20, 900) * 1000 + rng.int(0, 99) * 10]);
        continue;
      }
      if (rng.chance(0.0015)) {
        const special = rng.chance(0.5) ? MANUAL : BANK;
        out.push([special, 1, special.price || rng.int(1, 400) * 100]);
        continue;
      }
      let index = this.popularity.pick(rng);
      for (let retry = 0; taken.has(index) && retry < 20; retry++) index = this.popularity.pick(rng); // one line per product
      taken.add(index);
      const p = this.catalog[index];
      let quantity = PACKS[this.packs.pick(rng)];
      if (c?.wholesale) quantity *= rng.int(2, 8);
      const price = quantity >= 100 ? Math.max(10, Math.round((p.price * 0.85) / 10) * 10) : p.price;
      out.push([p, quantity, price]);
    }
    return out;
  }
}

function* invoiceRows(shop: Shop, inv: Invoice): Generator<string> {
  const c = inv.customer >= 0 ? shop.customers[inv.customer] : null;
  const date = formatDate(inv.day, inv.minute);
  const tail = `${date},`;
  const row = (
    p: Product,
    quantity: number,
    price: number,
    customer = c?.id ?? "",
    country = c?.country ?? "United Kingdom",
  ) =>
    `${inv.number},${csvField(p.code)},${csvField(p.description)},${quantity},${tail}${formatPrice(price)},${customer},${csvField(country)}`;
  const rng = new Random(inv.seed ^ 0x5bd1e995);
  if (inv.kind === "adjust") {
    yield row(
      { code: "B", description: "Adjust bad debt", price: 0 },
      1,
      inv.seed === 0 ? 11_062_060 : -11_062_060,
      "",
      "United Kingdom",
    );
    return;
  }
  if (inv.kind === "stock") {
    for (let j = 0; j < inv.lines; j++) {
      const p = shop.catalog[shop.popularity.pick(rng)];
      yield row({ ...p, description: rng.pick(STOCK_NOTES) }, -rng.int(1, 200), 0, "");
    }
    return;
  }
  if (inv.kind === "cancel") {
    const lines = shop.saleLines(inv.original!);
    for (let j = 0; j < inv.lines; j++) {
      const [p, quantity, price] = lines[rng.int(0, lines.length - 1)];
      yield row(p, -rng.int(1, quantity), price);
    }
    return;
  }
  const lines = shop.saleLines(inv).map(([p, q, price]) => row(p, q, price));
  for (let k = 0; k < inv.zeroPrice; k++) {
    const p = shop.catalog[shop.popularity.pick(rng)];
    lines.splice(rng.int(0, lines.length), 0, row(p, rng.int(1, 12), 0));
  }
  for (let k = 0; k < inv.duplicates; k++) {
    const at = rng.int(0, lines.length - 1);
    lines.splice(rng.int(at + 1, lines.length), 0, lines[at]);
  }
  yield* lines;
}

/** Every data line of the demo file, in invoice order (without the header). */
export function* demoRows(options: SeedOptions = DEFAULT_SEED_OPTIONS): Generator<string> {
  const shop = new Shop(options);
  for (const inv of shop.invoices) yield* invoiceRows(shop, inv);
}

/** Writes the demo CSV (ISO-8859-1, CRLF) to `path`; returns the number of data lines. */
export async function writeDemoCsv(
  path: string,
  options: SeedOptions = DEFAULT_SEED_OPTIONS,
  onProgress?: (lines: number) => void,
): Promise<number> {
  const out = createWriteStream(path);
  let buffer = HEADER + "\r\n";
  let count = 0;
  for (const line of demoRows(options)) {
    buffer += line + "\r\n";
    if (++count % 20_000 === 0) {
      if (!out.write(Buffer.from(buffer, "latin1"))) await once(out, "drain");
      buffer = "";
      onProgress?.(count);
    }
  }
  out.end(Buffer.from(buffer, "latin1"));
  await once(out, "finish");
  return count;
}
