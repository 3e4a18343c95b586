import type { Encoding } from "./encoding";
import type { FormatName } from "./formats";

export type RejectedExample = { line: number; reason: string; text: string };

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
  seconds: { parse: number; clean: number; store: number; derive: number; total: number };
  importedAt: string;
};
