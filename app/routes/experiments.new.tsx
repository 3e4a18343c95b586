import { Anchor, Stack, Text, Title } from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { ExperimentEditor } from "~/components/ExperimentEditor";
import { DEFAULT_DESIGN, designErrors, designFromForm } from "~/experiments/design-form";
import { audienceOptions, designPreview, saveExperiment } from "~/experiments/experiments.server";
import { audienceKey, learnedLift } from "~/planning/plan.server";
import { activeDataset } from "~/db/active.server";

export const meta: MetaFunction = () => [{ title: "New experiment · Campaign Lab" }];

export async function loader() {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  return json({
    empty: false as const,
    options: audienceOptions(active.db, active.id),
    preview: designPreview(active.db, active.id, DEFAULT_DESIGN),
    learned: learnedLift(active.db, active.id, DEFAULT_DESIGN.campaignType, audienceKey(DEFAULT_DESIGN.audience)),
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
        <Anchor component={Link} to="/experiments" size="sm">← Experiments</Anchor>
        <Title order={2}>New experiment</Title>
        <Text c="dimmed">Design a campaign test on an audience; its baselines and sample size come from the shop's own history.</Text>
      </div>
      <ExperimentEditor design={DEFAULT_DESIGN} options={data.options} errors={result?.errors ?? {}} readOnly={false} preview={data.preview} learned={data.learned} submitLabel="Save draft" />
    </Stack>
  );
}
