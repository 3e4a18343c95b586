import { json, type ActionFunctionArgs } from "@remix-run/node";
import { audienceSize, describeAudience, listAudiences } from "~/segments/audiences.server";
import { activeDataset } from "~/db/active.server";
import { audienceFromForm, fieldErrors } from "~/segments/audience-form";
import { jsonError } from "~/lib/http.server";

// GET /api/audiences — saved audiences of the active data set with their live size and revenue.
export async function loader() {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  return json(listAudiences(active.db, active.id).map((a) => ({ ...a, description: describeAudience(a.definition) })));
}

// POST /api/audiences (form fields of the audience form) — the live size of a definition, or its field errors.
export async function action({ request }: ActionFunctionArgs) {
  const active = activeDataset();
  if (!active) return jsonError("No data set yet", 404);
  const form = await request.formData();
  if (!String(form.get("name") ?? "").trim()) form.set("name", "preview");
  const parsed = audienceFromForm(form);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  return json({ ...audienceSize(active.db, active.id, parsed.data.definition), description: describeAudience(parsed.data.definition) });
}
