import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  NumberInput,
  Radio,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { EmptyState } from "~/components/EmptyState";
import { ResultsView } from "~/components/ResultsView";
import { ExperimentError } from "~/experiments/experiments.server";
import {
  aggregateArmSchema,
  experimentAnalysis,
  recordAggregates,
  recordSimulation,
  recordUpload,
  simulationSchema,
  type UploadAccounting,
} from "~/experiments/results.server";
import { isRehearsal, SOURCE_LABELS } from "~/experiments/sources";
import { describeIssues } from "~/lib/validation";
import { requireExperiment } from "~/experiments/require.server";
import {
  completeMeasured,
  measuredResults,
  nothingToMeasure,
  overTime,
  recordMeasured,
} from "~/experiments/measure.server";
import { MeasuredPanel } from "~/components/MeasuredPanel";
import { TableHead } from "~/components/TableHead";
import { BackLink } from "~/components/BackLink";
import { Section } from "~/components/Section";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Results · ${data && !data.empty ? data.experiment.name : "Experiment"} · Campaign Lab` },
];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return json({ empty: true as const });
  const correction = new URL(request.url).searchParams.get("correction") === "bh" ? "bh" : "holm";
  const { db } = loaded.active;
  const measured = measuredResults(db, loaded.experiment.id);
  return json({
    empty: false as const,
    experiment: loaded.experiment,
    recorded: experimentAnalysis(db, loaded.experiment.id, correction),
    measured,
    overTime: measured ? overTime(db, loaded.experiment.id) : null,
    // said beside a disabled button rather than after a click that can only be refused
    measureBlocked: loaded.experiment.status === "running" ? nothingToMeasure(db, loaded.experiment) : null,
  });
}

const num = (v: FormDataEntryValue | null) =>
  v === null || String(v).trim() === "" ? NaN : Number(String(v).replace(/[,%\s]/g, ""));

export async function action({ params, request }: ActionFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set", { status: 404 });
  const { active, experiment } = loaded;
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    if (intent === "aggregate") {
      const arms = experiment.design.arms.map((_, i) => ({
        users: num(form.get(`users${i}`)),
        conversions: num(form.get(`conversions${i}`)),
        revenueSum: num(form.get(`revenueSum${i}`)),
        revenueSquares: num(form.get(`revenueSquares${i}`)),
        orders: num(form.get(`orders${i}`)),
        refunded: num(form.get(`refunded${i}`)),
      }));
      const parsed = z.array(aggregateArmSchema).safeParse(arms);
      if (!parsed.success)
        return json(
          {
            error: `Check the counts: ${describeIssues(parsed.error).replace(/(^|; )(\d+)\./g, (_, sep, i) => `${sep}${experiment.design.arms[Number(i)].name} `)}`,
            problems: [],
          },
          { status: 400 },
        );
      recordAggregates(active.db, experiment.id, parsed.data);
    } else if (intent === "upload") {
      const file = form.get("file");
      if (!(file instanceof File) || file.size === 0)
        return json(
          { error: "Choose a CSV file (customer_id,arm,converted,revenue,orders,refunded)", problems: [] },
          { status: 400 },
        );
      const absent = form.get("absent") ?? "zero";
      if (absent !== "zero" && absent !== "exclude")
        return json({ error: "absent: choose non-buyers or left out", problems: [] }, { status: 400 });
      const { problems } = recordUpload(
        active.db,
        experiment.id,
        await file.text(),
        form.get("accept") === "on",
        absent,
      );
      return redirect(
        `/experiments/${experiment.id}/results?recorded=upload${problems.length ? `&reported=${problems.length}` : ""}`,
      );
    } else if (intent === "measure") {
      recordMeasured(active.db, experiment.id);
    } else if (intent === "complete-measured") {
      completeMeasured(active.db, experiment.id);
    } else if (intent === "simulate") {
      const treatments = experiment.design.arms.slice(1);
      const parsed = simulationSchema.safeParse({
        seed: num(form.get("seed")),
        conversionLift: treatments.map((_, i) => num(form.get(`conversionLift${i}`)) / 100),
        revenueLift: treatments.map((_, i) => num(form.get(`revenueLift${i}`)) / 100),
      });
      if (!parsed.success)
        return json({ error: `Check the simulation: ${describeIssues(parsed.error)}`, problems: [] }, { status: 400 });
      recordSimulation(active.db, experiment.id, parsed.data);
    } else return json({ error: "Unknown action", problems: [] }, { status: 400 });
  } catch (err) {
    if (err instanceof ExperimentError)
      return json({ error: err.message, problems: [] }, { status: err.code === "invalid" ? 400 : 409 });
    throw err;
  }
  return redirect(`/experiments/${experiment.id}/results?recorded=${intent}`);
}

export default function Results() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  if (data.empty) return <EmptyState title="Results" />;
  const { experiment: e, recorded, measured, overTime: days } = data;
  const treatments = e.design.arms.slice(1);
  const problems = (recorded?.results.notes.problems ?? []) as { line: number; customerId: string; problem: string }[];
  const accounting = recorded?.results.notes.accounting as UploadAccounting | undefined;
  const rehearsal = isRehearsal(recorded?.results);
  return (
    <Stack gap="lg">
      <div>
        <BackLink to={`/experiments/${e.id}`}>{e.name}</BackLink>
        <Group gap="sm">
          <Title order={2}>Results</Title>
          {rehearsal && (
            <Badge color="grape" size="lg" data-testid="rehearsal-badge">
              REHEARSAL (simulated)
            </Badge>
          )}
        </Group>
        <Text c="dimmed">
          {e.status === "draft"
            ? "Start the experiment before recording results."
            : recorded
              ? `Recorded ${recorded.results.recordedAt.slice(0, 16).replace("T", " ")} UTC from ${SOURCE_LABELS[recorded.results.source] ?? recorded.results.source}.`
              : "No results recorded yet."}
        </Text>
      </div>
      {rehearsal && (
        <Alert color="grape" title="REHEARSAL (simulated): not a result" data-testid="rehearsal-banner">
          These figures are drawn from the audience's own history with the effect you set. They never change the
          experiment's status, and Plan, ROI and learned lifts never use them. Real results (counts, a file, or
          measured) replace them.
        </Alert>
      )}
      {result?.error && (
        <Alert color="red" data-testid="results-error">
          {result.error}
        </Alert>
      )}
      {e.status !== "draft" && (
        <Card withBorder>
          <Tabs defaultValue="measure">
            <Tabs.List>
              <Tabs.Tab value="measure">Measure from the data</Tabs.Tab>
              <Tabs.Tab value="simulate">Rehearse: simulate from history</Tabs.Tab>
              <Tabs.Tab value="upload">Upload per-customer results</Tabs.Tab>
              <Tabs.Tab value="aggregate">Type counts per arm</Tabs.Tab>
            </Tabs.List>
            <IntentPanel intent="measure">
              <Text size="sm" mb="sm">
                Each assigned customer's outcome over the {e.design.windowDays} days after the start day, from the data
                set's own transactions (measured again at every update of the data set). Add newer transactions on the
                Data page first.
              </Text>
              {data.measureBlocked && (
                <Text size="sm" c="dimmed" mb="sm" data-testid="measure-blocked">
                  {data.measureBlocked}
                </Text>
              )}
              <Button
                type="submit"
                loading={navigation.state !== "idle"}
                disabled={!!data.measureBlocked}
                data-testid="measure"
              >
                Measure from the data
              </Button>
            </IntentPanel>
            <IntentPanel intent="simulate">
              <Text size="sm" mb="sm">
                A rehearsal, never a result: every assigned customer gets the outcome of a customer drawn from the
                audience's back-tested history; each treatment then gets the true effect you set. Seeded: the same seed
                gives the same results. Refused once real results are recorded (rehearse on a clone).
              </Text>
              <Group align="flex-end">
                <NumberInput name="seed" label="Seed" defaultValue={1} min={0} w={120} />
                {treatments.map((t, i) => (
                  <Group key={t.name} gap="xs">
                    <NumberInput
                      name={`conversionLift${i}`}
                      label={`${t.name}: conversion lift (%)`}
                      defaultValue={10}
                      w={200}
                    />
                    <NumberInput
                      name={`revenueLift${i}`}
                      label={`${t.name}: spend lift (%)`}
                      defaultValue={0}
                      w={180}
                    />
                  </Group>
                ))}
                <Button type="submit" loading={navigation.state !== "idle"}>
                  Simulate
                </Button>
              </Group>
            </IntentPanel>
            <IntentPanel intent="upload" multipart>
              <Text size="sm" mb="sm">
                A CSV with <code>customer_id,arm,converted,revenue,orders,refunded</code>, one line per assigned
                customer; it is checked against the assignment.
              </Text>
              <Radio.Group name="absent" label="Assigned customers absent from the file" defaultValue="zero" mb="sm">
                <Group mt={4}>
                  <Radio value="zero" label="count as non-buyers (converted 0, revenue 0): shops export their buyers" />
                  <Radio value="exclude" label="leave them out" />
                </Group>
              </Radio.Group>
              <Group align="flex-end">
                <FileInput name="file" label="Results file" placeholder="results.csv" accept=".csv,text/csv" w={280} />
                <Checkbox name="accept" label="Accept with the problem lines left out and reported" />
                <Button type="submit">Upload</Button>
              </Group>
            </IntentPanel>
            <IntentPanel intent="aggregate">
              <Table fz="sm">
                <TableHead
                  columns={[
                    "Arm",
                    "Users",
                    "Conversions",
                    "Revenue sum",
                    "Revenue sum of squares",
                    "Orders",
                    "Refunded value",
                  ]}
                />
                <Table.Tbody>
                  {e.design.arms.map((a, i) => (
                    <Table.Tr key={a.name}>
                      <Table.Td>{a.name}</Table.Td>
                      {["users", "conversions", "revenueSum", "revenueSquares", "orders", "refunded"].map((f) => (
                        <Table.Td key={f}>
                          <NumberInput name={`${f}${i}`} aria-label={`${a.name} ${f}`} min={0} hideControls />
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Button type="submit" mt="sm">
                Record
              </Button>
            </IntentPanel>
          </Tabs>
        </Card>
      )}
      {accounting && (
        <Section title="Everyone accounted for" order={5} testId="upload-accounting">
          <Text size="sm">
            Assigned {accounting.assigned} · lines in the file {accounting.linesInFile} · accepted {accounting.accepted}{" "}
            · absent from the file {accounting.absent} (
            {accounting.absentTreatment === "non-buyers"
              ? `counted as non-buyers: ${accounting.absentCounted}`
              : "left out"}
            ) · refused lines {accounting.refused}
          </Text>
        </Section>
      )}
      {problems.length > 0 && (
        <Alert
          color="orange"
          title={`${problems.length} line(s) of the uploaded file were left out`}
          data-testid="upload-problems"
        >
          {problems.slice(0, 10).map((p) => (
            <Text key={`${p.line}-${p.customerId}`} size="sm">
              line {p.line} · {p.customerId}: {p.problem}
            </Text>
          ))}
        </Alert>
      )}
      {measured && days && (
        <MeasuredPanel
          report={measured}
          days={days}
          experimentId={e.id}
          canComplete={e.status === "running"}
          busy={navigation.state !== "idle"}
        />
      )}
      {recorded?.problem && !measured && <Alert color="red">{recorded.problem}</Alert>}
      {recorded?.analysis && (
        <>
          <Group>
            <Anchor component={Link} to={`/experiments/${e.id}/report`}>
              Open the report
            </Anchor>
            <Anchor href={`/experiments/${e.id}/report.json`} download>
              JSON
            </Anchor>
            <Anchor href={`/experiments/${e.id}/report.csv`} download>
              CSV
            </Anchor>
            {treatments.length > 1 && (
              <Anchor
                component={Link}
                to={`?correction=${recorded.analysis.primary.correction === "bh" ? "holm" : "bh"}`}
                size="sm"
              >
                Use {recorded.analysis.primary.correction === "bh" ? "Holm" : "Benjamini–Hochberg"} instead
              </Anchor>
            )}
          </Group>
          <ResultsView analysis={measured?.analysis ?? recorded.analysis} alpha={e.design.stats.alpha} />
        </>
      )}
    </Stack>
  );
}

/** One tab of the results form: its fields are posted with the tab's name as the intent the action dispatches on. */
function IntentPanel({ intent, multipart, children }: { intent: string; multipart?: boolean; children: ReactNode }) {
  return (
    <Tabs.Panel value={intent} pt="md">
      <Form method="post" encType={multipart ? "multipart/form-data" : undefined}>
        <input type="hidden" name="intent" value={intent} />
        {children}
      </Form>
    </Tabs.Panel>
  );
}
