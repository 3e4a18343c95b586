import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { DesignSummary } from "~/components/DesignSummary";
import { EmptyState } from "~/components/EmptyState";
import { ExperimentEditor } from "~/components/ExperimentEditor";
import { int, percent } from "~/components/format";
import { designErrors, designFromForm } from "~/experiments/design-form";
import {
  audienceOptions,
  ExperimentError,
  experimentPreview,
  planStart,
  resolveAudience,
  saveExperiment,
} from "~/experiments/experiments.server";
import { assignmentCounts, experimentHistoryOf, experimentVersions, storedResults } from "~/experiments/store.server";
import { DECISION_LABELS, DECISIONS } from "~/experiments/decisions";
import {
  archiveExperiment,
  cloneExperiment,
  decideExperiment,
  deleteExperiment,
  proposedDecision,
  restoreExperiment,
  stopExperiment,
} from "~/experiments/lifecycle.server";
import { isRehearsal } from "~/experiments/results.server";
import { audienceKey, learnedLift } from "~/planning/plan.server";
import { requireExperiment } from "~/experiments/require.server";
import { startWithWarehouseCopy } from "~/experiments/warehouse-assignments.server";
import { describeIssues } from "~/lib/validation";
import { TableHead } from "~/components/TableHead";
import { BackLink } from "~/components/BackLink";
import { Section } from "~/components/Section";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data && !data.empty ? data.experiment.name : "Experiment"} · Campaign Lab` },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return json({ empty: true as const });
  const { active, experiment } = loaded;
  let preview = null;
  let previewError: string | null = null;
  try {
    preview = experimentPreview(active.db, experiment);
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
    previewError = err.message;
  }
  let start: {
    startDate: string;
    perArm: number[];
    power: number | null;
    refusal: string | null;
    warnings: string[];
  } | null = null;
  if (experiment.status === "draft" && !previewError) {
    try {
      const { customers: _customers, arms: _arms, ...plan } = planStart(active.db, experiment); // eslint-disable-line @typescript-eslint/no-unused-vars
      start = plan;
    } catch (err) {
      if (!(err instanceof ExperimentError)) throw err;
      previewError = err.message;
    }
  }
  let audienceLabel: string | null = null;
  try {
    audienceLabel = resolveAudience(active.db, experiment.design.audience).label;
  } catch (err) {
    if (!(err instanceof ExperimentError)) throw err;
  }
  const results = storedResults(active.db, experiment.id);
  const versions = experimentVersions(active.db, experiment.id);
  return json({
    empty: false as const,
    experiment,
    preview,
    previewError,
    start,
    audienceLabel,
    results: results && { source: results.source, recordedAt: results.recordedAt, rehearsal: isRehearsal(results) },
    proposal: experiment.status === "draft" ? null : proposedDecision(active.db, experiment.id),
    options: audienceOptions(active.db, active.id),
    learned: learnedLift(active.db, active.id, experiment.design.campaignType, audienceKey(experiment.design.audience)),
    // the design's save time is its latest version's: the row's updated_at also moves at decide, archive, restore
    savedAt: versions[0]?.savedAt ?? experiment.createdAt,
    versions: versions.map((v) => ({
      version: v.version,
      savedAt: v.savedAt,
      name: v.design.name,
      mde: v.design.stats.mde,
      relative: v.design.stats.relative,
      metric: v.design.primaryMetric,
    })),
    history: experimentHistoryOf(active.db, experiment.id),
    assigned: assignmentCounts(active.db, experiment.id),
  });
}

const startForm = z.object({
  startDate: z
    .string()
    .trim()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, "start date: use YYYY-MM-DD"),
  confirm: z.string().optional(),
});
const decideForm = z.object({
  decision: z.enum(DECISIONS, { message: "decision: choose Ship, Don't ship or Inconclusive" }),
  note: z.string().max(2000).optional(),
});

export async function action({ params, request }: ActionFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) throw new Response("No data set", { status: 404 });
  const { active, experiment: e } = loaded;
  const db = active.db;
  const form = await request.formData();
  const field = (k: string) => (form.get(k) === null ? undefined : String(form.get(k)));
  const intent = field("intent") ?? "save";
  const refuse = (message: string, status = 400) =>
    json({ errors: { form: message } as Record<string, string> }, { status });
  try {
    switch (intent) {
      case "start": {
        const parsed = startForm.safeParse({ startDate: field("startDate") ?? "", confirm: field("confirm") });
        if (!parsed.success) return refuse(describeIssues(parsed.error));
        const startDate = parsed.data.startDate || undefined;
        // the UI asks before an underpowered start: the same check as the server's, refused unless confirmed
        const plan = planStart(db, e, { startDate });
        if (plan.refusal) return refuse(plan.refusal, 409);
        if (plan.warnings.length && parsed.data.confirm !== "yes")
          return refuse(`${plan.warnings.join("; ")}: confirm to start anyway`, 409);
        // issue 17: with the copy in the warehouse's assignments schema, when one is named (the start stands if it fails)
        const { copyError } = await startWithWarehouseCopy(db, e.id, { startDate });
        if (copyError) return refuse(`Started; the assignment was not written to the warehouse: ${copyError}`, 502);
        return redirect(`/experiments/${e.id}?started=1`);
      }
      case "stop":
        stopExperiment(db, e.id, field("reason"));
        return redirect(`/experiments/${e.id}?stopped=1`);
      case "decide": {
        const parsed = decideForm.safeParse({ decision: field("decision"), note: field("note") });
        if (!parsed.success) return refuse(describeIssues(parsed.error));
        decideExperiment(db, e.id, parsed.data.decision, parsed.data.note);
        return redirect(`/experiments/${e.id}?decided=1`);
      }
      case "clone":
        return redirect(`/experiments/${cloneExperiment(db, e.id)}?cloned=${e.id}`);
      case "archive":
        archiveExperiment(db, e.id);
        return redirect(`/experiments/${e.id}?archived=1`);
      case "restore":
        restoreExperiment(db, e.id);
        return redirect(`/experiments/${e.id}?restored=1`);
      case "delete":
        deleteExperiment(db, e.id, field("confirmName"));
        return redirect(`/?deleted=${encodeURIComponent(e.name)}`);
      case "save": {
        const parsed = designFromForm(form);
        if (!parsed.success) return json({ errors: designErrors(parsed.error) }, { status: 400 });
        saveExperiment(db, active.id, parsed.data, e.id);
        return redirect(`/experiments/${e.id}?saved=1`);
      }
      default:
        return refuse(`intent: unknown action "${intent}"`);
    }
  } catch (err) {
    if (err instanceof ExperimentError) return refuse(err.message, err.code === "invalid" ? 400 : 409);
    throw err;
  }
}

const STATUS_COLOURS = { draft: "gray", running: "blue", completed: "teal" } as const;
const NOTICES: Record<string, string> = {
  saved: "Saved.",
  started: "Started: the design is frozen and every customer of the audience as of the start day has an arm.",
  stopped: "Stopped early: the experiment is completed.",
  decided: "Decision recorded: the experiment is completed.",
  archived: "Archived: it shows on the board under Archived.",
  restored: "Restored.",
};

export default function ExperimentPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  if (data.empty) return <EmptyState title="Experiment" />;
  const { experiment: e, preview, versions, assigned, history } = data;
  const draft = e.status === "draft";
  const errors = (result?.errors ?? {}) as Record<string, string>;
  const notice = Object.keys(NOTICES).find((k) => params.get(k));
  return (
    <Stack gap="lg">
      <div>
        <BackLink to="/">Campaigns</BackLink>
        <Group>
          <Title order={2}>{e.name}</Title>
          <Badge color={STATUS_COLOURS[e.status]} data-testid="experiment-status">
            {e.status}
          </Badge>
          {e.stopReason && (
            <Badge color="orange" variant="light">
              stopped early
            </Badge>
          )}
          {e.decision && (
            <Badge
              color={e.decision === "ship" ? "teal" : e.decision === "dont-ship" ? "red" : "gray"}
              data-testid="decision-badge"
            >
              {DECISION_LABELS[e.decision]}
            </Badge>
          )}
          {data.results?.rehearsal && (
            <Badge color="grape" data-testid="rehearsal-badge">
              REHEARSAL (simulated)
            </Badge>
          )}
          {e.archivedAt && (
            <Badge color="dark" variant="outline">
              archived
            </Badge>
          )}
          <Text c="dimmed" size="sm" data-testid="experiment-saved">
            version {e.version} · saved {data.savedAt.slice(0, 16).replace("T", " ")} UTC
          </Text>
        </Group>
      </div>
      {notice && <Alert color="teal">{NOTICES[notice]}</Alert>}
      {params.get("cloned") && (
        <Alert color="teal">A new draft with the design of experiment #{params.get("cloned")}.</Alert>
      )}
      {errors.form && (
        <Alert color="red" data-testid="action-error">
          {errors.form}
        </Alert>
      )}
      {data.previewError && <Alert color="red">{data.previewError}</Alert>}
      {draft && data.start && <StartCard id={e.id} start={data.start} armNames={e.design.arms.map((a) => a.name)} />}
      {!draft && (
        <Card withBorder data-testid="assignment">
          <Stack gap="xs">
            <Group justify="space-between">
              <Text size="sm">
                Start day {e.startDate ?? "–"} · assigned {int(assigned.reduce((s, n) => s + (n ?? 0), 0))} customers:{" "}
                {e.design.arms.map((a, i) => `${a.name} ${int(assigned[i] ?? 0)}`).join(" · ")}
              </Text>
              <Button component={Link} to={`/experiments/${e.id}/results`} size="xs">
                {e.status === "running" && !data.results ? "Record results" : "Results"}
              </Button>
            </Group>
            <Group gap="md">
              <Anchor href={`/experiments/${e.id}/assignment.csv`} download size="sm">
                Assignment (CSV)
              </Anchor>
              <Anchor href={`/experiments/${e.id}/contact.csv`} download size="sm">
                Contact list: treatment arms (contact.csv)
              </Anchor>
              <Anchor href={`/experiments/${e.id}/holdout.csv`} download size="sm">
                Holdout: control (holdout.csv)
              </Anchor>
            </Group>
            {e.stopReason && (
              <Text size="sm" c="orange">
                Stopped early: {e.stopReason}
              </Text>
            )}
            {data.results && (
              <Text size="sm">
                Results recorded {data.results.recordedAt.slice(0, 16).replace("T", " ")} UTC
                {data.results.rehearsal ? " — a REHEARSAL (simulated): not a result" : ""}.
              </Text>
            )}
          </Stack>
        </Card>
      )}
      {e.status === "running" && <StopCard />}
      {!draft && !e.decision && (e.status === "completed" || data.proposal !== null) && (
        <DecideCard proposal={data.proposal} />
      )}
      {e.decision && (
        <Card withBorder data-testid="decision-recorded">
          <Text size="sm">
            <b>Decision: {DECISION_LABELS[e.decision]}</b> ({e.decidedAt?.slice(0, 16).replace("T", " ")} UTC)
            {e.decisionNote ? ` — ${e.decisionNote}` : ""}
          </Text>
        </Card>
      )}
      <ActionsCard experiment={e} />
      {draft ? (
        <ExperimentEditor
          key={e.version}
          design={e.design}
          options={data.options}
          errors={errors}
          readOnly={false}
          preview={preview}
          learned={data.learned}
          submitLabel="Save a new version"
        />
      ) : (
        <DesignSummary
          design={e.design}
          preview={preview}
          assigned={assigned}
          startDate={e.startDate}
          audienceLabel={data.audienceLabel}
          closed={e.status === "completed" || e.archivedAt !== null}
        />
      )}
      <Section title="History" order={5}>
        <Table fz="sm" data-testid="history">
          <TableHead columns={["When (UTC)", "What", "Note"]} />
          <Table.Tbody>
            {[...history].reverse().map((h, i) => (
              <Table.Tr key={i}>
                <Table.Td>{h.at.slice(0, 19).replace("T", " ")}</Table.Td>
                <Table.Td>{h.action}</Table.Td>
                <Table.Td>{h.note ?? ""}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Title order={6} mt="md" mb="xs">
          Design versions
        </Title>
        <Table fz="sm" data-testid="versions">
          <TableHead columns={["Version", "Saved (UTC)", "Name", "Primary metric", "MDE"]} />
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
      </Section>
    </Stack>
  );
}

/** Start, with its checks beside the button: the 30-per-arm refusal, or the power warning that needs a confirmation. */
function StartCard({
  id,
  start,
  armNames,
}: {
  id: number;
  start: { startDate: string; perArm: number[]; power: number | null; refusal: string | null; warnings: string[] };
  armNames: string[];
}) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "start";
  return (
    <Card withBorder data-testid="start-card" id="start">
      <Form method="post" action={`/experiments/${id}`}>
        <input type="hidden" name="intent" value="start" />
        <Stack gap="xs">
          <Text size="sm">
            Starting freezes the design and assigns every customer of the audience as of the start day to an arm (a hash
            of experiment and customer id, by the allocation):{" "}
            {armNames.map((n, i) => `${n} ${int(start.perArm[i] ?? 0)}`).join(" · ")}
            {start.power !== null ? ` · power ${percent(start.power, 0)}` : ""}.
          </Text>
          <Group align="flex-end">
            <TextInput
              name="startDate"
              label="Start day (send date)"
              type="date"
              defaultValue={start.startDate}
              description={`the data's last day ${start.startDate}, or later`}
              w={220}
            />
            {start.refusal ? (
              <>
                <Button type="submit" color="blue" disabled>
                  Start the experiment
                </Button>
                <Text c="red" size="sm" maw={520} data-testid="start-refusal">
                  {start.refusal}
                </Text>
              </>
            ) : start.warnings.length ? (
              <>
                <input type="hidden" name="confirm" value="yes" />
                <Text c="orange.8" size="sm" maw={420} data-testid="start-warning">
                  {start.warnings.join("; ")}: start anyway?
                </Text>
                <Button type="submit" color="orange" loading={busy}>
                  Start anyway
                </Button>
              </>
            ) : (
              <Button type="submit" color="blue" loading={busy}>
                Start the experiment
              </Button>
            )}
          </Group>
        </Stack>
      </Form>
    </Card>
  );
}

function StopCard() {
  return (
    <Card withBorder data-testid="stop-card">
      <Form method="post">
        <input type="hidden" name="intent" value="stop" />
        <Group align="flex-end">
          <TextInput name="reason" label="Stop early: the reason" placeholder="e.g. the discount code leaked" w={380} />
          <Button type="submit" color="orange" variant="light">
            Stop early
          </Button>
        </Group>
      </Form>
    </Card>
  );
}

function DecideCard({ proposal }: { proposal: keyof typeof DECISION_LABELS | null }) {
  const [decision, setDecision] = useState<string | null>(proposal ?? "inconclusive");
  const override = decision !== proposal;
  return (
    <Card withBorder data-testid="decide-card" id="decide">
      <Form method="post">
        <input type="hidden" name="intent" value="decide" />
        <Stack gap="xs">
          <Text size="sm">
            {proposal
              ? `The analysis proposes: ${DECISION_LABELS[proposal]}.`
              : "There are no real results to propose a decision: give your reason."}{" "}
            Recording the decision completes the experiment.
          </Text>
          <Group align="flex-end">
            <Select
              name="decision"
              label="Decision"
              data={DECISIONS.map((d) => ({ value: d, label: DECISION_LABELS[d] }))}
              value={decision}
              onChange={setDecision}
              allowDeselect={false}
              w={180}
            />
            <Textarea
              name="note"
              label={override ? "Your reason (required to override)" : "Note"}
              autosize
              minRows={1}
              w={420}
            />
            <Button type="submit">Record the decision</Button>
          </Group>
        </Stack>
      </Form>
    </Card>
  );
}

function ActionsCard({
  experiment: e,
}: {
  experiment: { id: number; name: string; status: string; archivedAt: string | null };
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <Card withBorder data-testid="lifecycle-actions">
      <Group>
        <Form method="post">
          <input type="hidden" name="intent" value="clone" />
          <Button type="submit" variant="default" size="xs">
            {e.status === "completed" ? "Run again" : "Clone"}
          </Button>
        </Form>
        <Form method="post">
          <input type="hidden" name="intent" value={e.archivedAt ? "restore" : "archive"} />
          <Button type="submit" variant="default" size="xs">
            {e.archivedAt ? "Restore" : "Archive"}
          </Button>
        </Form>
        {e.status === "draft" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="delete" />
            <Button type="submit" color="red" variant="light" size="xs">
              Delete
            </Button>
          </Form>
        ) : confirming ? (
          <Form method="post">
            <input type="hidden" name="intent" value="delete" />
            <Group gap="xs" align="flex-end">
              <TextInput
                name="confirmName"
                label={`Type "${e.name}" to delete it with its assignment and results`}
                w={360}
                size="xs"
              />
              <Button type="submit" color="red" size="xs">
                Delete for good
              </Button>
            </Group>
          </Form>
        ) : (
          <Button color="red" variant="light" size="xs" onClick={() => setConfirming(true)}>
            Delete…
          </Button>
        )}
      </Group>
    </Card>
  );
}
