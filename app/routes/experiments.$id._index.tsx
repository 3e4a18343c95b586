import { Alert, Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { ExperimentEditor } from "~/components/ExperimentEditor";
import { int } from "~/components/format";
import { designErrors, designFromForm } from "~/experiments/design-form";
import { assignmentCounts, audienceOptions, designPreview, ExperimentError, experimentVersions, saveExperiment, startExperiment } from "~/experiments/experiments.server";
import { learnedLift } from "~/planning/plan.server";
import { requireExperiment } from "~/experiments/require.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data && !data.empty ? data.experiment.name : "Experiment"} · Campaign Lab` }];


export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return json({ empty: true as const });
  const { active, experiment } = loaded;
  let preview = null;
  let previewError: string | null = null;
  try {
    preview = designPreview(active.db, active.id, experiment.design);
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
    previewError = err.message;
  }
  return json({
    empty: false as const,
    experiment,
    preview,
    previewError,
    options: audienceOptions(active.db, active.id),
    learned: learnedLift(active.db, active.id, experiment.design.campaignType, experiment.design.audience.kind === "segment" ? experiment.design.audience.segment : undefined),
    versions: experimentVersions(active.db, experiment.id).map((v) => ({ version: v.version, savedAt: v.savedAt, name: v.design.name, mde: v.design.stats.mde, relative: v.design.stats.relative, metric: v.design.primaryMetric })),
    assigned: assignmentCounts(active.db, experiment.id),
  });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set", { status: 404 });
  const { active, experiment } = loaded;
  const form = await request.formData();
  try {
    if (form.get("intent") === "start") {
      startExperiment(active.db, experiment.id);
      return redirect(`/experiments/${experiment.id}?started=1`);
    }
    const parsed = designFromForm(form);
    if (!parsed.success) return json({ errors: designErrors(parsed.error) }, { status: 400 });
    saveExperiment(active.db, active.id, parsed.data, experiment.id);
    return redirect(`/experiments/${experiment.id}?saved=1`);
  } catch (err) {
    if (err instanceof ExperimentError) return json({ errors: { form: err.message } as Record<string, string> }, { status: 409 });
    throw err;
  }
}

const STATUS_COLOURS = { draft: "gray", running: "blue", completed: "teal" } as const;

export default function ExperimentPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  if (data.empty) return <EmptyState title="Experiment" />;
  const { experiment: e, preview, versions, assigned } = data;
  const draft = e.status === "draft";
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/experiments" size="sm">← Experiments</Anchor>
        <Group>
          <Title order={2}>{e.name}</Title>
          <Badge color={STATUS_COLOURS[e.status]} data-testid="experiment-status">{e.status}</Badge>
          <Text c="dimmed" size="sm">version {e.version} · saved {e.updatedAt.slice(0, 16).replace("T", " ")} UTC</Text>
        </Group>
      </div>
      {params.get("saved") && <Alert color="teal">Saved (version {e.version}).</Alert>}
      {params.get("started") && <Alert color="blue">Started: the design is frozen and every audience customer has an arm.</Alert>}
      {data.previewError && <Alert color="red">{data.previewError}</Alert>}
      {draft ? (
        <Card withBorder>
          <Group justify="space-between">
            <Text size="sm">Starting freezes the design and assigns every customer of the audience to an arm (a hash of experiment and customer id, by the allocation).</Text>
            <Form method="post">
              <input type="hidden" name="intent" value="start" />
              <Button type="submit" color="blue">Start the experiment</Button>
            </Form>
          </Group>
        </Card>
      ) : (
        <Card withBorder data-testid="assignment">
          <Group justify="space-between">
            <Text size="sm">
              Started {e.startedAt?.slice(0, 16).replace("T", " ")} UTC · assigned {int(assigned.reduce((s, n) => s + (n ?? 0), 0))} customers:{" "}
              {e.design.arms.map((a, i) => `${a.name} ${int(assigned[i] ?? 0)}`).join(" · ")}
            </Text>
            <Group>
              <Anchor href={`/experiments/${e.id}/assignment.csv`} download>Download the assignment (CSV)</Anchor>
              <Button component={Link} to={`/experiments/${e.id}/results`} size="xs">Results</Button>
            </Group>
          </Group>
        </Card>
      )}
      <ExperimentEditor key={e.version} design={e.design} options={data.options} errors={(result?.errors ?? {}) as Record<string, string>} readOnly={!draft} preview={preview} learned={data.learned} submitLabel="Save a new version" />
      <Card withBorder>
        <Title order={5} mb="xs">History</Title>
        <Table fz="sm" data-testid="versions">
          <Table.Thead>
            <Table.Tr>{["Version", "Saved (UTC)", "Name", "Primary metric", "MDE"].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>{v.version}</Table.Td>
                <Table.Td>{v.savedAt.slice(0, 19).replace("T", " ")}</Table.Td>
                <Table.Td>{v.name}</Table.Td>
                <Table.Td>{v.metric}</Table.Td>
                <Table.Td>{v.relative ? `${Math.round(v.mde * 10000) / 100}% relative` : v.mde}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
