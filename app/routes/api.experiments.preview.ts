import { json, type ActionFunctionArgs } from "@remix-run/node";
import { designErrors, designFromForm } from "~/experiments/design-form";
import { designPreview, ExperimentError, experimentPreview } from "~/experiments/experiments.server";
import { getExperiment } from "~/experiments/store.server";
import { audienceKey, learnedLift } from "~/planning/plan.server";
import { activeDataset } from "~/db/active.server";
import { methodNotAllowed } from "~/lib/http.server";

// POST /api/experiments/preview (the experiment form's fields) — the design's audience size, back-tested baselines and
// power analysis, or its field errors: what the form shows live as the user edits. With `experimentId` of a started
// experiment: its frozen preview (the design as started, on the assigned customers), whatever the other fields say.
export async function action({ request }: ActionFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ errors: { form: "No data set yet" } }, { status: 404 });
  const form = await request.formData();
  const experimentId = String(form.get("experimentId") ?? "").trim();
  if (experimentId) {
    const e = /^\d{1,15}$/.test(experimentId) ? getExperiment(active.db, Number(experimentId)) : null;
    if (!e || e.datasetId !== active.id)
      return json(
        { errors: { experimentId: `experimentId: no experiment ${experimentId} in the active data set` } },
        { status: 404 },
      );
    if (e.status !== "draft") {
      const d = e.design;
      return json({
        preview: experimentPreview(active.db, e),
        learned: learnedLift(active.db, active.id, d.campaignType, audienceKey(d.audience)),
      });
    }
  }
  if (!String(form.get("name") ?? "").trim()) form.set("name", "preview");
  const parsed = designFromForm(form);
  if (!parsed.success) return json({ errors: designErrors(parsed.error) }, { status: 400 });
  try {
    const d = parsed.data;
    return json({
      preview: designPreview(active.db, active.id, d),
      learned: learnedLift(active.db, active.id, d.campaignType, audienceKey(d.audience)),
    });
  } catch (err) {
    if (err instanceof ExperimentError) return json({ errors: { audience: err.message } }, { status: 400 });
    throw err;
  }
}

export const loader = () => methodNotAllowed(["POST"]);
