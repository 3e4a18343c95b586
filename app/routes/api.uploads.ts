import { json, type ActionFunctionArgs } from "@remix-run/node";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { appErrorResponse, jsonError } from "~/lib/http.server";
import { previewFile } from "~/ingest/preview.server";
import { saveUpload } from "~/ingest/uploads.server";
import { startJobProcessAhead } from "~/ingest/jobs.server";

// POST /api/uploads — the raw file as the request body (X-File-Name header): streams it to disk and returns its preview.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError("Use POST with the file as the body", 405);
  const raw = request.headers.get("x-file-name") ?? new URL(request.url).searchParams.get("name") ?? "upload.csv";
  let fileName: string;
  try {
    fileName = decodeURIComponent(raw).slice(0, 200);
  } catch {
    return jsonError("X-File-Name is not valid percent-encoding (encode the name with encodeURIComponent)", 400);
  }
  // a NUL or another control character cannot be part of a file name handed to the import (it gave a 500)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(fileName) || fileName.trim() === "")
    return jsonError("X-File-Name must be a file name without control characters", 400);
  startJobProcessAhead(); // its import's process loads while the file arrives
  try {
    const upload = await saveUpload(request.body as WebReadableStream<Uint8Array> | null, fileName);
    const preview = await previewFile(upload.path);
    return json({ upload: { id: upload.id, fileName: upload.fileName, bytes: upload.bytes }, preview });
  } catch (err) {
    return appErrorResponse(err); // an ImportError: empty, binary or too large
  }
}
