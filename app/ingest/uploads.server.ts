import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { databasePath } from "~/db/paths.server";
import { ImportError } from "./pipeline";

// Uploaded files stream to disk beside the database (nothing holds a whole file in memory), then wait for their import.

const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type Upload = { id: string; fileName: string; bytes: number; path: string };

function uploadsDir(): string {
  return join(dirname(databasePath()), "uploads");
}

/** The stored upload with this id, or null (ids are UUIDs: nothing else can name a path). */
export async function getUpload(id: string): Promise<Upload | null> {
  if (!UUID.test(id)) return null;
  const path = join(uploadsDir(), `${id}.upload`);
  try {
    const meta = JSON.parse(await readFile(`${path}.json`, "utf8")) as { fileName: string };
    const { size } = await stat(path);
    return { id, fileName: meta.fileName, bytes: size, path };
  } catch {
    return null;
  }
}

/** Streams a request body to disk; refuses an empty body or one over MAX_UPLOAD_BYTES. */
export async function saveUpload(body: WebReadableStream<Uint8Array> | null, fileName: string): Promise<Upload> {
  if (!body) throw new ImportError("The file is empty (0 bytes)");
  const dir = uploadsDir();
  await mkdir(dir, { recursive: true });
  const id = randomUUID();
  const path = join(dir, `${id}.upload`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > MAX_UPLOAD_BYTES ? new ImportError("The file is larger than 4 GB") : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body), count, createWriteStream(path));
    if (bytes === 0) throw new ImportError("The file is empty (0 bytes)");
    await writeFile(`${path}.json`, JSON.stringify({ fileName }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { id, fileName, bytes, path };
}

export async function removeUpload(upload: Upload): Promise<void> {
  await rm(upload.path, { force: true });
  await rm(`${upload.path}.json`, { force: true });
}
