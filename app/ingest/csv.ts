// A streaming CSV record reader (RFC 4180: comma separator, double-quote quoting with "" escapes, CRLF or LF line ends,
// quoted fields may span lines). Chosen over csv-parse for speed: see docs/decisions/0002-csv-parser.md.

const MAX_RECORD_CHARS = 1 << 20;
/** Limits of a line (a record) and of one field (#12 item 4): longer ones are rejected lines, with their line number. */
const MAX_LINE_CHARS = 1 << 20;
export const MAX_FIELD_CHARS = 10 * 1024;
/** The most of a line, a field or a value an error message or a rejected example quotes. */
const MAX_QUOTE_CHARS = 200;
/** A decoded chunk is read in pieces of about this many characters (runPipeline): a piece's records die young. */
export const PIECE_CHARS = 1 << 16;

/** `text` as an error quotes it: at most 200 characters, marked when cut. */
export function quote(text: string, max = MAX_QUOTE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length.toLocaleString("en-GB")} characters)`;
}

export type CsvRecord = { line: number; fields: string[]; raw: string };
export type CsvProblem = { line: number; raw: string; reason: string };

function parseQuoted(text: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let value = "";
      let start = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return null; // unclosed quote
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(start, q + 1);
          i = start = q + 2;
          continue;
        }
        value += text.slice(start, q);
        i = q + 1;
        break;
      }
      // text between the closing quote and the next separator is appended as written (lenient, as Excel does)
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? n : comma;
      if (end > i) value += text.slice(i, end);
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = text.indexOf(",", i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

function countQuotes(s: string): number {
  let c = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) c++;
  return c;
}

/** Splits decoded text into CSV records, keeping the unfinished tail for the next chunk. */
export class CsvReader {
  private carry = "";
  private line = 0; // physical lines consumed so far
  /** Inside a line already rejected as too long: its rest is dropped up to the next line end, never held. */
  private skipping = false;

  /** Characters held for the next push (a line's unfinished tail); Infinity while a too-long line is skipped. */
  get held(): number {
    return this.skipping ? Infinity : this.carry.length;
  }

  /** Calls onRecord for every complete record in carry + text; the final call (final = true) flushes the tail. */
  push(text: string, final: boolean, onRecord: (r: CsvRecord) => void, onProblem: (p: CsvProblem) => void): void {
    if (this.skipping) {
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      this.skipping = false;
      text = text.slice(nl + 1);
    }
    const buf = this.carry + text;
    let pos = 0;
    const n = buf.length;
    for (;;) {
      let nl = buf.indexOf("\n", pos);
      if (nl < 0) {
        if (!final && n - pos > MAX_LINE_CHARS) {
          // a line with no end in sight (a 50 MB line, a gzip stream with no newline): rejected now, its rest skipped
          onProblem({
            line: ++this.line,
            raw: quote(buf.slice(pos, pos + MAX_QUOTE_CHARS)),
            reason: `line longer than ${MAX_LINE_CHARS.toLocaleString("en-GB")} characters`,
          });
          this.skipping = true;
          this.carry = "";
          return;
        }
        if (!final || pos >= n) break;
        nl = n;
      }
      const startLine = ++this.line;
      let raw = buf.slice(pos, nl);
      let next = nl + 1;
      if (raw.indexOf('"') >= 0 && (countQuotes(raw) & 1) === 1) {
        // a quoted field spans lines: extend until the quotes balance
        let quotes = countQuotes(raw);
        let end = nl;
        let complete = false;
        while (end < n) {
          const more = buf.indexOf("\n", end + 1);
          const stop = more < 0 ? n : more;
          if (more < 0 && !final) break;
          quotes += countQuotes(buf.slice(end + 1, stop));
          this.line++;
          end = stop;
          if ((quotes & 1) === 0) {
            complete = true;
            break;
          }
        }
        if (!complete) {
          if (!final && n - pos < MAX_RECORD_CHARS) {
            this.line = startLine - 1;
            break;
          }
          if (!final) {
            // a quote that never closes would make the whole rest of the file one record: reject its first line only
            this.line = startLine;
            onProblem({ line: startLine, raw: trimCr(buf.slice(pos, nl)).slice(0, 200), reason: "unclosed quote" });
            pos = nl + 1;
            continue;
          }
          raw = buf.slice(pos, n);
          onProblem({ line: startLine, raw: quote(trimCr(raw)), reason: "unclosed quote at end of file" });
          pos = n;
          break;
        }
        raw = buf.slice(pos, end);
        next = end + 1;
      }
      pos = next;
      raw = trimCr(raw);
      if (raw === "") continue;
      if (raw.length > MAX_LINE_CHARS) {
        onProblem({
          line: startLine,
          raw: quote(raw),
          reason: `line longer than ${MAX_LINE_CHARS.toLocaleString("en-GB")} characters`,
        });
        continue;
      }
      const fields = raw.indexOf('"') < 0 ? raw.split(",") : parseQuoted(raw);
      if (fields === null) {
        onProblem({ line: startLine, raw: quote(raw), reason: "unclosed quote" });
        continue;
      }
      // a field is no longer than its line: most lines need no look at each field
      const long = raw.length > MAX_FIELD_CHARS ? fields.findIndex((f) => f.length > MAX_FIELD_CHARS) : -1;
      if (long >= 0)
        onProblem({
          line: startLine,
          raw: quote(raw),
          reason: `field ${long + 1} is longer than ${MAX_FIELD_CHARS.toLocaleString("en-GB")} characters`,
        });
      else onRecord({ line: startLine, fields, raw });
    }
    this.carry = pos < n ? buf.slice(pos) : "";
  }
}

function trimCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
