import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { ResponsiveHeatMap } from "@nivo/heatmap";
import { json, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate } from "@remix-run/react";
import { GroupedBars } from "~/components/charts/GroupedBars";
import { EmptyState } from "~/components/EmptyState";
import { amount, int, percent } from "~/components/format";
import { activeDataset } from "~/db/active.server";
import { rfmRun, segmentSummaries } from "~/segments/queries.server";
import { SEGMENT_GRID } from "~/segments/rfm";
import { Section } from "~/components/Section";
import { TableHead } from "~/components/TableHead";

export const meta: MetaFunction = () => [{ title: "Segments · Campaign Lab" }];

export async function loader() {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const summary = segmentSummaries(active.db, active.id);
  return json({ empty: false as const, dataset: active.name, run: rfmRun(active.db, active.id), ...summary });
}

export default function Segments() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  if (data.empty) return <EmptyState title="Segments" />;
  const { segments, grid, run, customers, revenue } = data;
  const heat = SEGMENT_GRID.map((row, i) => ({
    id: `R ${5 - i}`,
    data: row.map((segment, j) => ({ x: `FM ${j + 1}`, y: grid[i][j], segment })),
  }));
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Segments</Title>
        <Text c="dimmed">
          {data.dataset} · RFM as of {run.snapshotDate} · {int(customers)} customers with {amount(revenue)} net spend
          (sales minus returns) ·{" "}
          <Anchor component={Link} to="/segments/personas">
            Personas (k-means)
          </Anchor>{" "}
          ·{" "}
          <Anchor component={Link} to="/audiences">
            Audiences
          </Anchor>
        </Text>
      </div>
      <Section
        title="RFM segments"
        aside={
          <Anchor size="sm" href="/api/segments/members.csv" download>
            rfm_customers.csv
          </Anchor>
        }
      >
        <Table striped highlightOnHover fz="sm" data-testid="segments-table">
          <TableHead
            columns={[
              "Segment",
              "Customers",
              "Share",
              "Net revenue share",
              "Recency (days) mean / median",
              "Orders mean / median",
              "Net spend mean / median",
              "What to do",
            ]}
          />
          <Table.Tbody>
            {segments.map((s) => (
              <Table.Tr key={s.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/segments/${s.slug}`} fw={600}>
                    {s.name}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">{int(s.customers)}</Table.Td>
                <Table.Td ta="right">{percent(s.customerShare)}</Table.Td>
                <Table.Td ta="right">{percent(s.revenueShare)}</Table.Td>
                <Table.Td ta="right">
                  {s.recency.mean.toFixed(0)} / {s.recency.median.toFixed(0)}
                </Table.Td>
                <Table.Td ta="right">
                  {s.frequency.mean.toFixed(1)} / {s.frequency.median.toFixed(0)}
                </Table.Td>
                <Table.Td ta="right">
                  {amount(s.monetary.mean)} / {amount(s.monetary.median)}
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{s.action}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="xs">
          Scores 1–5 from the 20/40/60/80th percentiles over all customers (recency breakpoints{" "}
          {run.cuts.recency.map((c) => c.toFixed(1)).join(", ")} days; frequency{" "}
          {run.cuts.frequency.map((c) => c.toFixed(1)).join(", ")} orders; net spend{" "}
          {run.cuts.monetary.map((c) => amount(c)).join(", ")}); FM = ⌈(F + M) / 2⌉.
        </Text>
      </Section>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section title="Share of customers and of net revenue">
          <GroupedBars
            height={380}
            testId="chart-segment-shares"
            label="Share of customers and of revenue per segment"
            horizontal
            data={[...segments].reverse().map((s) => ({
              segment: s.name,
              Customers: Math.round(s.customerShare * 1000) / 10,
              Revenue: Math.round(s.revenueShare * 1000) / 10,
            }))}
            series={{ Customers: "#4c6ef5", Revenue: "#12b886" }}
            indexBy="segment"
            margin={{ top: 5, right: 100, bottom: 40, left: 130 }}
            valueFormat={(v) => `${v}%`}
            axisBottom={{ format: (v) => `${v}%` }}
            onClick={(d) => navigate(`/segments/${segments.find((s) => s.name === d.indexValue)?.slug}`)}
          />
        </Section>
        <Section title="R × FM grid">
          <Text size="xs" c="dimmed" mb="xs">
            Customers per cell; click a cell to open its customers.
          </Text>
          <div style={{ height: 340 }} data-testid="chart-rfm-grid">
            <ResponsiveHeatMap
              data={heat}
              margin={{ top: 30, right: 10, bottom: 10, left: 50 }}
              axisTop={{ tickSize: 0, tickPadding: 6 }}
              axisLeft={{ tickSize: 0, tickPadding: 6 }}
              colors={{ type: "sequential", scheme: "purples" }}
              valueFormat={(v) => int(Number(v))}
              labelTextColor={{ from: "color", modifiers: [["darker", 3]] }}
              tooltip={({ cell }) => (
                <Card padding="xs" withBorder shadow="sm">
                  <Text size="xs">
                    {cell.serieId} · {cell.data.x}: {(cell.data as { segment: string }).segment}
                  </Text>
                  <Text size="xs" fw={600}>
                    {int(Number(cell.value))} customers
                  </Text>
                </Card>
              )}
              onClick={(cell) => navigate(`/segments/r${cell.serieId.slice(2)}-fm${String(cell.data.x).slice(3)}`)}
              animate={false}
              role="img"
            />
          </div>
          <Group gap={6} mt="xs">
            {segments.map((s) => (
              <Badge
                key={s.name}
                variant="light"
                size="xs"
                component={Link}
                to={`/segments/${s.slug}`}
                style={{ cursor: "pointer" }}
              >
                {s.name}
              </Badge>
            ))}
          </Group>
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
