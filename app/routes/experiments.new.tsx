import { Alert, Stack, Text, Title } from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { CAMPAIGN_TYPES, type Design, type ExperimentAudience } from "~/experiments/design";
import { SEGMENTS } from "~/segments/rfm";
import { describeIssues } from "~/lib/validation";
import { useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { ExperimentEditor } from "~/components/ExperimentEditor";
import { DEFAULT_DESIGN, designErrors, designFromForm } from "~/experiments/design-form";
import { audienceOptions, designPreview, saveExperiment } from "~/experiments/experiments.server";
import { audienceKey, learnedLift } from "~/planning/plan.server";
import { activeDataset } from "~/db/active.server";
import { BackLink } from "~/components/BackLink";

export const meta: MetaFunction = () => [{ title: "New experiment · Campaign Lab" }];

// "Design a test" links (issue 16): ?segment=NAME | ?persona=CLUSTER (of the chosen k) | ?audience=ID, and ?campaign=TYPE
const prefillSchema = z.object({
  segment: z.enum(SEGMENTS).optional(),
  persona: z.coerce.number().int().min(0).max(9).optional(),
  audience: z.coerce.number().int().positive().optional(),
  campaign: z.enum(CAMPAIGN_TYPES).optional(),
});

function prefilled(
  db: Parameters<typeof audienceOptions>[0],
  datasetId: number,
  search: URLSearchParams,
): { design: Design; problem: string | null } {
  const parsed = prefillSchema.safeParse(Object.fromEntries(search));
  if (!parsed.success)
    return {
      design: DEFAULT_DESIGN,
      problem: `This link could not be read (${describeIssues(parsed.error)}): the form starts from the defaults.`,
    };
  const q = parsed.data;
  const options = audienceOptions(db, datasetId);
  let audience: ExperimentAudience = DEFAULT_DESIGN.audience;
  if (q.segment) audience = { kind: "segment", segment: q.segment };
  else if (q.persona !== undefined) {
    const p = options.personas.find((x) => x.cluster === q.persona);
    if (!p)
      return {
        design: DEFAULT_DESIGN,
        problem: `No persona ${q.persona} among the chosen personas: the form starts from the defaults.`,
      };
    audience = { kind: "persona", k: p.k, cluster: p.cluster, name: p.name };
  } else if (q.audience !== undefined) {
    if (!options.saved.some((a) => a.id === q.audience))
      return {
        design: DEFAULT_DESIGN,
        problem: `No saved audience ${q.audience} in this data set: the form starts from the defaults.`,
      };
    audience = { kind: "audience", id: q.audience };
  }
  return {
    design: { ...DEFAULT_DESIGN, audience, campaignType: q.campaign ?? DEFAULT_DESIGN.campaignType },
    problem: null,
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const search = new URL(request.url).searchParams;
  const { design, problem } = prefilled(active.db, active.id, search);
  return json({
    empty: false as const,
    design,
    // nothing chosen yet: no link filled the form (or it could not be read), so its audience is the default
    fresh: problem !== null || !Object.keys(prefillSchema.shape).some((k) => search.has(k)),
    problem,
    options: audienceOptions(active.db, active.id),
    preview: designPreview(active.db, active.id, design),
    learned: learnedLift(active.db, active.id, design.campaignType, audienceKey(design.audience)),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const active = activeDataset();
  if (!active) throw new Response("No data set", { status: 404 });
  const parsed = designFromForm(await request.formData());
  if (!parsed.success) return json({ errors: designErrors(parsed.error) }, { status: 400 });
  const id = saveExperiment(active.db, active.id, parsed.data);
  return redirect(`/experiments/${id}?saved=1`);
}

export default function NewExperiment() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (data.empty) return <EmptyState title="New experiment" />;
  return (
    <Stack gap="lg">
      <div>
        <BackLink to="/">Campaigns</BackLink>
        <Title order={2}>New experiment</Title>
        <Text c="dimmed">
          Design a campaign test on an audience; its baselines and sample size come from the shop's own history.
        </Text>
      </div>
      {data.problem && <Alert color="orange">{data.problem}</Alert>}
      <ExperimentEditor
        design={data.design}
        options={data.options}
        errors={result?.errors ?? {}}
        readOnly={false}
        preview={data.preview}
        learned={data.learned}
        submitLabel="Save draft"
        fresh={data.fresh}
      />
    </Stack>
  );
}
