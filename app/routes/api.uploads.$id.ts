import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { DATE_FORMATS } from "~/ingest/dates";
import { FIELDS } from "~/ingest/formats";
import { previewFile } from "~/ingest/preview.server";
import { columnMapSchema } from "~/ingest/schemas";
import { describeIssues } from "~/lib/validation";
import { getUpload, removeUpload } from "~/ingest/uploads.server";
import { jsonError } from "~/lib/http.server";

const querySchema = z.object({ map: columnMapSchema, dateFormat: z.enum(DATE_FORMATS).optional() });

// GET /api/uploads/:id?customer=…&date=…&dateFormat=… — the upload's first lines as they would be read with this mapping.
export async function loader({ params, request }: LoaderFunctionArgs) {
  const upload = await getUpload(params.id ?? "");
  if (!upload) return jsonError("No such upload (it may have been imported or discarded)", 404);
  const query = new URL(request.url).searchParams;
  const map = Object.fromEntries(FIELDS.filter((f) => query.get(f)).map((f) => [f, query.get(f)!]));
  const parsed = querySchema.safeParse({ map, dateFormat: query.get("dateFormat") || undefined });
  if (!parsed.success) return jsonError(describeIssues(parsed.error), 400);
  const preview = await previewFile(
    upload.path,
    Object.keys(map).length ? parsed.data.map : undefined,
    parsed.data.dateFormat,
  );
  return json({ upload: { id: upload.id, fileName: upload.fileName, bytes: upload.bytes }, preview });
}

// DELETE /api/uploads/:id — discards an upload that will not be imported.
export async function action({ params, request }: ActionFunctionArgs) {
  if (request.method !== "DELETE") return jsonError("Use DELETE", 405);
  const upload = await getUpload(params.id ?? "");
  if (upload) await removeUpload(upload);
  return json({ ok: true });
}
