import { json, type ActionFunctionArgs } from "@remix-run/node";
import { previewWarehouse } from "~/ingest/warehouse-connect.server";
import { warehousePreviewSchema } from "~/ingest/schemas";
import { appErrorResponse, methodNotAllowed, readJsonBody } from "~/lib/http.server";

// POST /api/warehouse/preview {"url", "orders", "map"} — checks the connection and shows the table's columns and first
// rows as the mapping reads them (`cli warehouse preview`); stores nothing, answers the URL masked.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  const parsed = await readJsonBody(request, warehousePreviewSchema);
  if (!parsed.ok) return parsed.response;
  try {
    return json(await previewWarehouse({ url: parsed.data.url, table: parsed.data.orders, map: parsed.data.map }));
  } catch (err) {
    return appErrorResponse(err);
  }
}

export function loader() {
  return methodNotAllowed(["POST"]);
}
