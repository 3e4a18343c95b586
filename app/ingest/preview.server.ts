import type { DateFormat } from "./dates";
import { FORMAT_LABELS, FormatError, resolveLayout, type ColumnMap, type FormatName } from "./formats";
import { ImportError, runPipeline, type TracedLine } from "./pipeline";
import { headSource } from "./source";
import { CsvReader, type CsvRecord } from "./csv";
import { IncrementalDecoder } from "./encoding";

export type UploadPreview = {
  header: string[];
  /** The first lines as written in the file. */
  sample: string[][];
  format: FormatName | null;
  formatLabel: string | null;
  /** When the layout is known, or the mapping is complete: the first lines as they will be read. */
  lines: TracedLine[];
  dateFormat: DateFormat | null;
  encoding: string | null;
  /** Why the file cannot be imported as it stands (unknown columns, unreadable dates, too many bad lines, …). */
  problem: string | null;
  /** The problem is one a column mapping or a date format can solve: the UI shows the mapping form. */
  needsMapping: boolean;
};

const PREVIEW_LINES = 10;

/** Reads the head of an uploaded file: its header, first lines, detected layout, and those lines read through the pipeline. */
export async function previewFile(path: string, map?: ColumnMap, dateFormat?: DateFormat): Promise<UploadPreview> {
  const source = await headSource(path); // one buffer, read twice: for the header, then through the pipeline
  const head = (source.chunks as Buffer[])[0];
  const decoder = new IncrementalDecoder();
  const records: CsvRecord[] = [];
  const reader = new CsvReader();
  for await (const chunk of source.chunks)
    reader.push(
      decoder.decode(chunk),
      false,
      (r) => records.length <= PREVIEW_LINES && records.push(r),
      () => {},
    );
  reader.push(
    decoder.end(),
    true,
    (r) => records.length <= PREVIEW_LINES && records.push(r),
    () => {},
  );
  const header = records[0]?.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h)) ?? [];
  const preview: UploadPreview = {
    header,
    sample: records.slice(1, PREVIEW_LINES + 1).map((r) => r.fields),
    format: null,
    formatLabel: null,
    lines: [],
    dateFormat: null,
    encoding: decoder.encoding,
    problem: null,
    needsMapping: false,
  };
  if (head.subarray(0, 8192).includes(0))
    return { ...preview, header: [], sample: [], problem: "This is not a CSV text file: it contains binary data" };
  if (header.length === 0) return { ...preview, problem: "The file is empty" };
  try {
    preview.format = resolveLayout(header, map).format;
    preview.formatLabel = FORMAT_LABELS[preview.format];
  } catch (err) {
    if (err instanceof FormatError) return { ...preview, problem: err.message, needsMapping: true };
    throw err;
  }
  try {
    const result = await runPipeline(source, {
      map,
      dateFormat,
      trace: (line) => preview.lines.length < PREVIEW_LINES && preview.lines.push(line),
    });
    preview.dateFormat = result.dateFormat;
  } catch (err) {
    if (err instanceof FormatError || err instanceof ImportError) {
      preview.problem = err.message;
      preview.needsMapping = err instanceof FormatError;
    } else throw err;
  }
  return preview;
}
