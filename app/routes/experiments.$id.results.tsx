import { Alert, Anchor, Button, Card, Checkbox, FileInput, Group, NumberInput, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { EmptyState } from "~/components/EmptyState";
import { ResultsView } from "~/components/ResultsView";
import { ExperimentError } from "~/experiments/experiments.server";
import { aggregateArmSchema, experimentAnalysis, recordAggregates, recordSimulation, recordUpload, simulationSchema } from "~/experiments/results.server";
import { describeIssues } from "~/lib/validation";
import { requireExperiment } from "~/experiments/require.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Results · ${data && !data.empty ? data.experiment.name : "Experiment"} · Campaign Lab` }];


export async function loader({ params, request }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return json({ empty: true as const });
  const correction = new URL(request.url).searchParams.get("correction") === "bh" ? "bh" : "holm";
  return json({ empty: false as const, experiment: loaded.experiment, recorded: experimentAnalysis(loaded.active.db, loaded.experiment.id, correction) });
}

const num = (v: FormDataEntryValue | null) => (v === null || String(v).trim() === "" ? NaN : Number(String(v).replace(/[,%\s]/g, "")));

export async function action({ params, request }: ActionFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set", { status: 404 });
  const { active, experiment } = loaded;
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    if (intent === "aggregate") {
      const arms = experiment.design.arms.map((_, i) => ({
        users: num(form.get(`users${i}`)), conversions: num(form.get(`conversions${i}`)), revenueSum: num(form.get(`revenueSum${i}`)),
        revenueSquares: num(form.get(`revenueSquares${i}`)), orders: num(form.get(`orders${i}`)), refunded: num(form.get(`refunded${i}`)),
      }));
      const parsed = z.array(aggregateArmSchema).safeParse(arms);
      if (!parsed.success) return json({ error: `Check the counts: ${describeIssues(parsed.error).replace(/(^|; )(\d+)\./g, (_, sep, i) => `${sep}${experiment.design.arms[Number(i)].name} `)}`, problems: [] }, { status: 400 });
      recordAggregates(active.db, experiment.id, parsed.data);
    } else if (intent === "upload") {
      const file = form.get("file");
      if (!(file instanceof File) || file.size === 0) return json({ error: "Choose a CSV file (customer_id,arm,converted,revenue,orders,refunded)", problems: [] }, { status: 400 });
      const { problems } = recordUpload(active.db, experiment.id, await file.text(), form.get("accept") === "on");
      return redirect(`/experiments/${experiment.id}/results?recorded=upload${problems.length ? `&reported=${problems.length}` : ""}`);
    } else if (intent === "simulate") {
      const treatments = experiment.design.arms.slice(1);
      const parsed = simulationSchema.safeParse({
        seed: num(form.get("seed")),
        conversionLift: treatments.map((_, i) => num(form.get(`conversionLift${i}`)) / 100),
        revenueLift: treatments.map((_, i) => num(form.get(`revenueLift${i}`)) / 100),
      });
      if (!parsed.success) return json({ error: `Check the simulation: ${describeIssues(parsed.error)}`, problems: [] }, { status: 400 });
      recordSimulation(active.db, experiment.id, parsed.data);
    } else return json({ error: "Unknown action", problems: [] }, { status: 400 });
  } catch (err) {
    if (err instanceof ExperimentError) return json({ error: err.message, problems: [] }, { status: 409 });
    throw err;
  }
  return redirect(`/experiments/${experiment.id}/results?recorded=${intent}`);
}

export default function Results() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  if (data.empty) return <EmptyState title="Results" />;
  const { experiment: e, recorded } = data;
  const treatments = e.design.arms.slice(1);
  const problems = (recorded?.results.notes.problems ?? []) as { line: number; customerId: string; problem: string }[];
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={`/experiments/${e.id}`} size="sm">← {e.name}</Anchor>
        <Title order={2}>Results</Title>
        <Text c="dimmed">{e.status === "draft" ? "Start the experiment before recording results." : recorded ? `Recorded ${recorded.results.recordedAt.slice(0, 16).replace("T", " ")} UTC from ${recorded.results.source === "aggregate" ? "counts per arm" : recorded.results.source === "upload" ? "a per-customer file" : "a simulation"}.` : "No results recorded yet."}</Text>
      </div>
      {result?.error && <Alert color="red" data-testid="results-error">{result.error}</Alert>}
      {e.status !== "draft" && (
        <Card withBorder>
          <Tabs defaultValue="simulate">
            <Tabs.List>
              <Tabs.Tab value="simulate">Simulate from history</Tabs.Tab>
              <Tabs.Tab value="upload">Upload per-customer results</Tabs.Tab>
              <Tabs.Tab value="aggregate">Type counts per arm</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="simulate" pt="md">
              <Form method="post">
                <input type="hidden" name="intent" value="simulate" />
                <Text size="sm" mb="sm">Every assigned customer gets the outcome of a customer drawn from the audience's back-tested history; each treatment then gets the true effect you set. Seeded: the same seed gives the same results.</Text>
                <Group align="flex-end">
                  <NumberInput name="seed" label="Seed" defaultValue={1} min={0} w={120} />
                  {treatments.map((t, i) => (
                    <Group key={t.name} gap="xs">
                      <NumberInput name={`conversionLift${i}`} label={`${t.name}: conversion lift (%)`} defaultValue={10} w={200} />
                      <NumberInput name={`revenueLift${i}`} label={`${t.name}: spend lift (%)`} defaultValue={0} w={180} />
                    </Group>
                  ))}
                  <Button type="submit" loading={navigation.state !== "idle"}>Simulate</Button>
                </Group>
              </Form>
            </Tabs.Panel>
            <Tabs.Panel value="upload" pt="md">
              <Form method="post" encType="multipart/form-data">
                <input type="hidden" name="intent" value="upload" />
                <Text size="sm" mb="sm">A CSV with <code>customer_id,arm,converted,revenue,orders,refunded</code>, one line per assigned customer; it is checked against the assignment.</Text>
                <Group align="flex-end">
                  <FileInput name="file" label="Results file" placeholder="results.csv" accept=".csv,text/csv" w={280} />
                  <Checkbox name="accept" label="Accept with the problem lines left out and reported" />
                  <Button type="submit">Upload</Button>
                </Group>
              </Form>
            </Tabs.Panel>
            <Tabs.Panel value="aggregate" pt="md">
              <Form method="post">
                <input type="hidden" name="intent" value="aggregate" />
                <Table fz="sm">
                  <Table.Thead><Table.Tr>{["Arm", "Users", "Conversions", "Revenue sum", "Revenue sum of squares", "Orders", "Refunded value"].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {e.design.arms.map((a, i) => (
                      <Table.Tr key={a.name}>
                        <Table.Td>{a.name}</Table.Td>
                        {["users", "conversions", "revenueSum", "revenueSquares", "orders", "refunded"].map((f) => (
                          <Table.Td key={f}><NumberInput name={`${f}${i}`} aria-label={`${a.name} ${f}`} min={0} hideControls /></Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Button type="submit" mt="sm">Record</Button>
              </Form>
            </Tabs.Panel>
          </Tabs>
        </Card>
      )}
      {problems.length > 0 && (
        <Alert color="orange" title={`${problems.length} line(s) of the uploaded file were left out`} data-testid="upload-problems">
          {problems.slice(0, 10).map((p) => <Text key={`${p.line}-${p.customerId}`} size="sm">line {p.line} · {p.customerId}: {p.problem}</Text>)}
        </Alert>
      )}
      {recorded?.problem && <Alert color="red">{recorded.problem}</Alert>}
      {recorded?.analysis && (
        <>
          <Group>
            <Anchor component={Link} to={`/experiments/${e.id}/report`}>Open the report</Anchor>
            <Anchor href={`/experiments/${e.id}/report.json`} download>JSON</Anchor>
            <Anchor href={`/experiments/${e.id}/report.csv`} download>CSV</Anchor>
            {treatments.length > 1 && (
              <Anchor component={Link} to={`?correction=${recorded.analysis.primary.correction === "bh" ? "holm" : "bh"}`} size="sm">
                Use {recorded.analysis.primary.correction === "bh" ? "Holm" : "Benjamini–Hochberg"} instead
              </Anchor>
            )}
          </Group>
          <ResultsView analysis={recorded.analysis} alpha={e.design.stats.alpha} />
        </>
      )}
    </Stack>
  );
}
