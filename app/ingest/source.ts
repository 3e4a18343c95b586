import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { createHash } from "node:crypto";

// Opens an import file as a stream of bytes; gzip-compressed files (e.g. online_retail.csv.gz) are read through gunzip.
// totalBytes is the size of the decompressed text (a gzip file's trailer gives it), so progress is measured on what was parsed.
export type Source = { chunks: AsyncIterable<Buffer> | Iterable<Buffer>; totalBytes: number };

const CHUNK = 1 << 20;
const MAX_GZIP_RATIO = 50;

/** For a gzip file, its uncompressed size (RFC 1952 ISIZE, modulo 2³²); null when the file is not gzip. */
async function gzipSize(path: string, size: number): Promise<number | null> {
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b || size < 18) return null;
    await fh.read(head, 0, 4, size - 4);
    return head.readUInt32LE(0);
  } finally {
    await fh.close();
  }
}

export async function openSource(path: string): Promise<Source> {
  const { size } = await stat(path);
  const unzipped = await gzipSize(path, size);
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (unzipped === null) return { chunks: raw, totalBytes: size };
  // the trailer can be forged (a truncated file claiming 4 GB sized the duplicate table at 900 MB): text compresses
  // about 5–15 times, so no estimate goes past 50 times the compressed size
  return {
    chunks: raw.pipe(createGunzip({ chunkSize: CHUNK })),
    totalBytes: Math.min(unzipped, size * MAX_GZIP_RATIO),
  };
}

/** SHA-256 of the file's bytes: the same file imported twice is refused unless replaced (PRODUCT.md §1). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The first whole lines of a file (about maxBytes of text), as a Source: for the header check and the mapping preview. */
export async function headSource(path: string, maxBytes = 256 * 1024): Promise<Source> {
  const { chunks } = await openSource(path);
  const parts: Buffer[] = [];
  let size = 0;
  let complete = true;
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      complete = false;
      (chunks as unknown as { destroy?: () => void }).destroy?.();
      break;
    }
  }
  let head = Buffer.concat(parts);
  if (!complete) {
    // cut at the last line end within maxBytes (a gzip file's first chunk alone is 1 MB: the preview read four times
    // the lines it meant to); a first line longer than that is kept whole up to the last line end read
    const nl = head.lastIndexOf(0x0a, maxBytes - 1);
    const last = nl > 0 ? nl : head.lastIndexOf(0x0a);
    if (last > 0) head = head.subarray(0, last + 1);
  }
  return { chunks: [head], totalBytes: head.length };
}
