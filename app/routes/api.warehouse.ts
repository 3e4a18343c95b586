import { json, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { connectAndDerive } from "~/derive/warehouse.server";
import { warehouseAddSchema } from "~/ingest/schemas";
import { appErrorResponse, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// POST /api/warehouse {"url", "orders", "map", "name", "currency", "assignmentsSchema"} — connects a PostgreSQL table
// as the active data set (`cli warehouse add`): 201 {"id", "kind", "url" (masked), …report}. The URL is never returned.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const parsed = await readJsonBody(request, warehouseAddSchema);
  if (!parsed.ok) return parsed.response;
  const db = getDb();
  try {
    const { id, maskedUrl, report } = await connectAndDerive(db, {
      url: parsed.data.url,
      table: parsed.data.orders,
      map: parsed.data.map,
      name: parsed.data.name,
      currency: parsed.data.currency,
      assignmentsSchema: parsed.data.assignmentsSchema,
    });
    return json({ id, kind: "warehouse", url: maskedUrl, ...report }, { status: 201 });
  } catch (err) {
    return appErrorResponse(err);
  }
}

export function loader() {
  return methodNotAllowed(["POST"]);
}
