import { isAscii, isUtf8 } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import type { Encoding } from "~/types/import";

// Encoding detection (PRODUCT.md §1): UTF-8 with or without BOM, else Windows-1252. Until the first non-ASCII byte both
// read the same, so the decision is taken there, without a second pass over the file.
export type { Encoding } from "~/types/import";

// Windows-1252 differs from ISO-8859-1 only in 0x80–0x9F (WHATWG encoding standard, index-windows-1252).
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const C1 = /[\x80-\x9f]/g;

function decodeCp1252(buf: Buffer): string {
  const text = buf.toString("latin1");
  return C1.test(text) ? text.replace(C1, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80])) : text;
}

/** Trims an incomplete UTF-8 sequence off the end of a chunk so that isUtf8 judges only whole characters. */
function wholeCharacters(buf: Buffer): Buffer {
  let end = buf.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = buf[end - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (need > back) return buf.subarray(0, end - back);
    }
    break;
  }
  return buf;
}

export class IncrementalDecoder {
  encoding: Encoding | null = null;
  private utf8 = new StringDecoder("utf8");
  private started = false;
  /** Bytes held back: a possible BOM still incomplete, or a trailing sequence that cannot be judged yet. */
  private pending: Buffer | null = null;

  decode(chunk: Buffer): string {
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    if (!this.started) {
      if (chunk.length < 3 && [0xef, 0xbb, 0xbf].slice(0, chunk.length).every((b, i) => chunk[i] === b)) {
        this.pending = chunk; // could still be a BOM
        return "";
      }
      this.started = true;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        this.encoding = "utf-8-bom";
        chunk = chunk.subarray(3);
      }
    }
    if (this.encoding === null) {
      if (isAscii(chunk)) return chunk.toString("latin1");
      const whole = wholeCharacters(chunk);
      if (isAscii(whole)) {
        // the first non-ASCII bytes are an unfinished sequence at the end: judge them with the next chunk
        this.pending = Buffer.from(chunk.subarray(whole.length));
        return whole.toString("latin1");
      }
      this.encoding = isUtf8(whole) ? "utf-8" : "windows-1252";
    }
    return this.encoding === "windows-1252" ? decodeCp1252(chunk) : this.utf8.write(chunk);
  }

  end(): string {
    const rest = this.pending;
    this.pending = null;
    if (this.encoding === null) {
      // bytes held back to the very end: an unfinished sequence (not UTF-8) or the start of a BOM that never finished
      this.encoding = !rest || isUtf8(rest) ? "utf-8" : "windows-1252";
      if (!rest) return "";
      return this.encoding === "windows-1252" ? decodeCp1252(rest) : rest.toString("utf8");
    }
    return this.encoding === "windows-1252" ? "" : this.utf8.end();
  }

  get hadBom(): boolean {
    return this.encoding === "utf-8-bom";
  }
}
