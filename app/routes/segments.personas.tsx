import { Alert, Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import { ResponsiveScatterPlot } from "@nivo/scatterplot";
import { json, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ComponentProps } from "react";
import { z } from "zod";
import { EmptyState } from "~/components/EmptyState";
import { amount, int, percent } from "~/components/format";
import { describeIssues } from "~/lib/validation";
import { activeDataset } from "~/db/active.server";
import { audienceFor } from "~/segments/audiences.server";
import { choosePersonaK } from "~/segments/compute.server";
import { K_RANGE, PERSONA_RESTARTS, PERSONA_SEED } from "~/segments/settings";
import { PERSONA_PROTOTYPES } from "~/segments/naming";
import { personaClusters, personaScatter, personaSweep, segmentRun } from "~/segments/queries.server";
import { BackLink } from "~/components/BackLink";
import { Section } from "~/components/Section";

export const meta: MetaFunction = () => [{ title: "Personas · Campaign Lab" }];

export async function loader() {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const run = segmentRun(active.db, active.id);
  return json({
    empty: false as const,
    dataset: active.name,
    run,
    sweep: personaSweep(active.db, active.id),
    clusters: personaClusters(active.db, active.id, run.chosenK),
    scatter: personaScatter(active.db, active.id),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("choose"), k: z.coerce.number().int().min(K_RANGE[0]).max(K_RANGE[1]) }),
  z.object({ intent: z.literal("audience"), cluster: z.coerce.number().int().min(0).max(9) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const active = activeDataset();
  if (!active) throw new Response("No data set", { status: 404 });
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ error: describeIssues(parsed.error) }, { status: 400 });
  if (parsed.data.intent === "choose") {
    choosePersonaK(active.db, active.id, parsed.data.k);
    return redirect("/segments/personas");
  }
  const run = segmentRun(active.db, active.id);
  const cluster = personaClusters(active.db, active.id, run.chosenK).find(
    (c) => c.cluster === (parsed.data as { cluster: number }).cluster,
  );
  if (!cluster) return json({ error: "No such persona" }, { status: 400 });
  const { id, existed } = audienceFor(active.db, active.id, {
    name: cluster.name,
    definition: { kind: "persona", k: run.chosenK, cluster: cluster.cluster, name: cluster.name },
  });
  return redirect(`/audiences?saved=${id}${existed ? "&existed=1" : ""}`);
}

const COLOURS = [
  "#4c6ef5",
  "#12b886",
  "#fa5252",
  "#fab005",
  "#7048e8",
  "#15aabf",
  "#e64980",
  "#82c91e",
  "#fd7e14",
  "#868e96",
];

export default function Personas() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  // issue 14: relabelling every customer takes a moment; the button says so and cannot be pressed twice
  const choosing = navigation.state !== "idle" && navigation.formData?.get("intent") === "choose";
  if (data.empty) return <EmptyState title="Personas" />;
  const { run, sweep, clusters, scatter } = data;
  const series = clusters.map((c) => ({
    id: c.name,
    data: scatter
      .filter((p) => p.persona === c.cluster)
      .map((p) => ({ x: Math.max(p.recency, 0.5), y: Math.max(p.monetary, 1) })),
  }));
  return (
    <Stack gap="lg">
      <div>
        <BackLink to="/segments">Segments</BackLink>
        <Title order={2}>Personas</Title>
        <Text c="dimmed">
          k-means on log(1 + recency), log(1 + frequency), log(1 + monetary, net of returns), standardised (population
          standard deviation); k-means++ with {PERSONA_RESTARTS} restarts from seed {PERSONA_SEED}, lowest inertia kept;
          silhouette with Euclidean distances
          {run.silhouetteSample
            ? `, over a seeded random sample of ${int(run.silhouetteSample)} customers (the data set has more than 20,000)`
            : ", exact over every customer"}
          .
          {run.cuts.personaSample &&
            ` Computed in the warehouse: k-means ran on a seeded sample of ` +
              `${int(run.cuts.personaSample.customers)} of ${int(run.cuts.personaSample.of)} customers (at most ` +
              `100,000), then every customer was assigned to the nearest centroid.`}
        </Text>
      </div>
      {result?.error && <Alert color="red">{result.error}</Alert>}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <SweepChart
          title="Silhouette by k"
          testId="chart-silhouette"
          id="silhouette"
          points={sweep.map((r) => ({ x: r.k, y: r.silhouette }))}
          left={55}
          yMin="auto"
          digits={4}
          color="#4c6ef5"
          markers={[
            {
              axis: "x",
              value: run.bestK,
              lineStyle: { stroke: "#fa5252", strokeDasharray: "4 4" },
              legend: `best k = ${run.bestK}`,
            },
          ]}
        />
        <SweepChart
          title="Elbow (inertia by k)"
          testId="chart-elbow"
          id="inertia"
          points={sweep.map((r) => ({ x: r.k, y: r.inertia }))}
          left={60}
          yMin={0}
          digits={1}
          color="#12b886"
        />
      </SimpleGrid>
      <Card withBorder>
        <Form method="post">
          <input type="hidden" name="intent" value="choose" />
          <Group align="flex-end">
            <Select
              name="k"
              label="Number of personas (k)"
              defaultValue={String(run.chosenK)}
              allowDeselect={false}
              w={260}
              key={run.chosenK}
              data={sweep.map((r) => ({
                value: String(r.k),
                label: `k = ${r.k} · silhouette ${r.silhouette.toFixed(3)}${r.k === run.bestK ? " (proposed)" : ""}`,
              }))}
            />
            <Button type="submit" loading={choosing} disabled={choosing} data-testid="use-k">
              {choosing ? "Relabelling customers…" : "Use this k"}
            </Button>
            <Text size="sm" c="dimmed">
              Now: k = {run.chosenK}
              {run.chosenK === run.bestK ? " (the best silhouette)" : ` (the best silhouette is k = ${run.bestK})`}
            </Text>
          </Group>
        </Form>
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2, lg: 3 }} data-testid="persona-cards">
        {clusters.map((c) => (
          <Card key={c.cluster} withBorder>
            <Group justify="space-between">
              <Title order={4} c={COLOURS[c.cluster]}>
                {c.name}
              </Title>
              <Badge variant="light">{int(c.customers)} customers</Badge>
            </Group>
            <Text size="xs" c="dimmed" mb="xs">
              {PERSONA_PROTOTYPES.find((p) => p.name === c.name)?.description ?? "numbered: more clusters than names"}
            </Text>
            <Text size="sm">
              Net revenue share {percent(c.revenueShare)} ({amount(c.revenue)})
            </Text>
            <Text size="sm">
              Median recency {int(c.medianRecency)} days · orders {c.medianFrequency} · net spend{" "}
              {amount(c.medianMonetary)}
            </Text>
            <Text size="xs" c="dimmed">
              Centroid (z): recency {c.centroid[0].toFixed(2)}, frequency {c.centroid[1].toFixed(2)}, monetary{" "}
              {c.centroid[2].toFixed(2)}
            </Text>
            <Group mt="sm">
              <Form method="post">
                <input type="hidden" name="intent" value="audience" />
                <input type="hidden" name="cluster" value={c.cluster} />
                <Button size="xs" variant="light" type="submit">
                  Use as audience
                </Button>
              </Form>
              <Button size="xs" variant="light" component={Link} to={`/experiments/new?persona=${c.cluster}`}>
                Design a test
              </Button>
              <Anchor size="sm" href={`/api/segments/members.csv?persona=${c.cluster}`} download>
                CSV
              </Anchor>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
      <Section title="Customers by persona">
        <Text size="xs" c="dimmed" mb="xs">
          Recency (days, log scale) against net spend (log scale); up to 1,500 customers shown.
        </Text>
        <div style={{ height: 420 }} data-testid="chart-persona-scatter">
          <ResponsiveScatterPlot
            data={series}
            margin={{ top: 10, right: 190, bottom: 50, left: 70 }}
            xScale={{ type: "log", base: 10, min: 0.5, max: Math.max(1, ...scatter.map((p) => p.recency)) + 1 }}
            yScale={{ type: "log", base: 10, min: 1, max: Math.max(10, ...scatter.map((p) => p.monetary)) * 1.1 }}
            axisBottom={{
              legend: "days since last order",
              legendOffset: 38,
              legendPosition: "middle",
              tickValues: [1, 10, 100, 365],
            }}
            axisLeft={{
              legend: "spend",
              legendOffset: -60,
              legendPosition: "middle",
              tickValues: [10, 100, 1000, 10000, 100000],
            }}
            colors={COLOURS}
            nodeSize={5}
            useMesh={false}
            legends={[
              {
                anchor: "right",
                direction: "column",
                translateX: 180,
                itemWidth: 170,
                itemHeight: 18,
                symbolSize: 10,
                symbolShape: "circle",
              },
            ]}
            role="img"
          />
        </div>
      </Section>
    </Stack>
  );
}

/** One measure of the k sweep against k (silhouette, inertia), a point per k tried. */
function SweepChart({
  title,
  testId,
  id,
  points,
  left,
  yMin,
  digits,
  color,
  markers,
}: {
  title: string;
  testId: string;
  id: string;
  points: { x: number; y: number }[];
  left: number;
  yMin: number | "auto";
  digits: number;
  color: string;
  markers?: ComponentProps<typeof ResponsiveLine>["markers"];
}) {
  return (
    <Section title={<>{title}</>}>
      <div style={{ height: 240 }} data-testid={testId}>
        <ResponsiveLine
          data={[{ id, data: points }]}
          margin={{ top: 10, right: 20, bottom: 40, left }}
          xScale={{ type: "linear", min: K_RANGE[0], max: K_RANGE[1] }}
          yScale={{ type: "linear", min: yMin, max: "auto" }}
          yFormat={(v) => Number(v).toFixed(digits)}
          axisBottom={{
            legend: "k",
            legendOffset: 32,
            legendPosition: "middle",
            tickValues: points.map((p) => p.x),
          }}
          pointSize={8}
          useMesh
          colors={[color]}
          {...(markers ? { markers } : {})}
          role="img"
        />
      </div>
    </Section>
  );
}
