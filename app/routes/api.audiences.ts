import { json, type ActionFunctionArgs } from "@remix-run/node";
import { audienceSize, describeAudience, listAudiences } from "~/segments/audiences.server";
import { activeDataset } from "~/db/active.server";
import { audienceFromForm, fieldErrors } from "~/segments/audience-form";
import { jsonError, readJson } from "~/lib/http.server";

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
  // the audience form's fields, sent as a form or as a JSON object of the same fields (a JSON body gave a 500)
  let form: FormData;
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    const body = await readJson(request);
    if (!body.ok) return body.response;
    if (!body.data || typeof body.data !== "object" || Array.isArray(body.data))
      return jsonError("The body must be a JSON object of the audience form's fields", 400);
    form = new FormData();
    for (const [k, v] of Object.entries(body.data))
      for (const x of Array.isArray(v) ? v : [v]) if (x !== null && x !== undefined) form.append(k, String(x));
  } else {
    const read = await request.formData().catch(() => null);
    if (!read) return jsonError("Send the audience form's fields as a form or a JSON object", 400);
    form = read;
  }
  if (!String(form.get("name") ?? "").trim()) form.set("name", "preview");
  const parsed = audienceFromForm(form);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  return json({
    ...audienceSize(active.db, active.id, parsed.data.definition),
    description: describeAudience(parsed.data.definition),
  });
}
