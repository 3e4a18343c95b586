import { Alert, Anchor, Badge, Card, Group, List, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { ResultsView } from "~/components/ResultsView";
import { amount, int, percent } from "~/components/format";
import { METRIC_LABELS } from "~/experiments/design";
import { experimentReport } from "~/experiments/report.server";
import { requireExperiment } from "~/experiments/require.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data && !data.empty && data.report.results?.rehearsal ? "REHEARSAL (simulated) · " : ""}Report · ${data && !data.empty ? data.report.experiment.name : "Experiment"}`,
  },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const loaded = requireExperiment(params.id);
  if (!loaded) return json({ empty: true as const });
  return json({ empty: false as const, report: experimentReport(loaded.active.db, loaded.experiment.id) });
}

export default function Report() {
  const data = useLoaderData<typeof loader>();
  if (data.empty) return <EmptyState title="Report" />;
  const r = data.report;
  const d = r.experiment.design;
  return (
    <Stack gap="md" data-testid="report" className="printable">
      <Group justify="space-between">
        <div>
          <Title order={2} data-testid="report-title">
            {r.results?.rehearsal ? `REHEARSAL (simulated): ${r.experiment.name}` : r.experiment.name}
          </Title>
          <Group gap="xs">
            <Text c="dimmed" data-testid="report-subtitle">
              {[
                d.campaignType,
                METRIC_LABELS[d.primaryMetric].replace("W", String(d.windowDays)),
                `version ${r.experiment.version}`,
              ].join(" · ")}
            </Text>
            <Badge>{r.experiment.status}</Badge>
          </Group>
        </div>
        <Group className="no-print">
          <Anchor component={Link} to={`/experiments/${r.experiment.id}/results`}>
            Results
          </Anchor>
          <Anchor href={`/experiments/${r.experiment.id}/report.json`} download>
            JSON
          </Anchor>
          <Anchor href={`/experiments/${r.experiment.id}/report.csv`} download>
            CSV
          </Anchor>
          <Anchor onClick={() => window.print()}>Print</Anchor>
        </Group>
      </Group>
      {r.results?.rehearsal && (
        <Alert
          color="grape"
          variant="outline"
          data-testid="rehearsal-banner"
          title="REHEARSAL (simulated): not a result"
        >
          The figures below were simulated from the audience's own history with a chosen effect. They are a rehearsal of
          the analysis, not what the campaign did.
        </Alert>
      )}
      {d.hypothesis && (
        <Text>
          <b>Hypothesis.</b> {d.hypothesis}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder>
          <Title order={5}>Audience</Title>
          <Text size="sm">{r.audience?.label ?? "(deleted)"}</Text>
          <Text size="sm">
            {r.audience ? `${int(r.audience.customers)} customers now` : ""}; assigned{" "}
            {r.assigned.map((n, i) => `${d.arms[i]?.name} ${int(n ?? 0)}`).join(", ") || "nobody yet"}
          </Text>
        </Card>
        <Card withBorder>
          <Title order={5}>Baselines</Title>
          {r.baselines ? (
            <Text size="sm">
              As of {r.baselines.referenceDate} ({int(r.baselines.members)} members), {r.baselines.windowStart} to{" "}
              {r.baselines.windowEnd}: conversion {percent(r.baselines.used.conversion.value, 2)}
              {r.baselines.used.conversion.typed ? " (typed)" : ""}, revenue per customer{" "}
              {r.baselines.used.revenueMean.value === null ? "–" : amount(r.baselines.used.revenueMean.value)}, AOV{" "}
              {r.baselines.used.aov.value === null ? "–" : amount(r.baselines.used.aov.value)}, refund rate{" "}
              {percent(r.baselines.used.refundRate.value, 2)}.
            </Text>
          ) : (
            <Text size="sm">–</Text>
          )}
        </Card>
        <Card withBorder>
          <Title order={5}>Design and sample size</Title>
          <Text size="sm">
            Arms {d.arms.map((a) => `${a.name} ${percent(a.share, 0)}`).join(", ")}; α {d.stats.alpha}, power{" "}
            {percent(d.stats.power, 0)}, {d.stats.sides === 2 ? "two" : "one"}-sided, MDE{" "}
            {d.stats.relative ? `${percent(d.stats.mde, 1)} relative` : d.stats.mde}.
            {r.sampleSize ? ` Needs ${int(r.sampleSize.nControl)} per arm, ${int(r.sampleSize.nTotal)} in total.` : ""}
          </Text>
        </Card>
      </SimpleGrid>
      {r.analysis ? (
        <ResultsView analysis={r.analysis} alpha={d.stats.alpha} />
      ) : (
        <Text c="dimmed">No results recorded yet.</Text>
      )}
      <Card withBorder>
        <Title order={5}>Methods</Title>
        <List size="sm">
          {r.methods.map((m) => (
            <List.Item key={m}>{m}</List.Item>
          ))}
        </List>
      </Card>
    </Stack>
  );
}
