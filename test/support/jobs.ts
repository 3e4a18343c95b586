import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { getJob, type ImportJob } from "~/ingest/jobs.server";
import { saveUpload } from "~/ingest/uploads.server";

/** A file on disk as the web receives it: streamed into an upload beside the database (DATABASE_PATH). */
export const uploadFile = (file: string, name: string) =>
  saveUpload(Readable.toWeb(createReadStream(file)) as WebReadableStream<Uint8Array>, name);

/** The job once it has ended (done or failed), read as GET /api/imports/:id reads it, every 100 ms for up to a minute. */
export async function finishedJob(id: string): Promise<ImportJob> {
  for (let i = 0; i < 600; i++) {
    const job = getJob(id)!;
    if (job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the import job did not finish");
}
