import { Anchor, Button, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { contextPage } from "~/analytics/page.server";
import type { Kpis } from "~/analytics/kpis";
import { Download } from "~/components/Download";
import { FilterBar } from "~/components/FilterBar";
import { MonthlyTrendChart, NewReturningChart } from "~/components/charts/MonthlyCharts";
import { PartialNote } from "~/components/charts/PartialNote";
import { amount, int, percent } from "~/components/format";
import { Section } from "~/components/Section";
import { StatCard } from "~/components/Stat";
import { TableHead } from "~/components/TableHead";

export const meta: MetaFunction = () => [{ title: "Overview · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const page = await contextPage(request, "overview");
  return json(page.empty ? { empty: true as const } : { ...page, empty: false as const });
}

type Card = { key: keyof Kpis; label: string; format: (x: number) => string; rate?: boolean; lowerIsBetter?: boolean };
const CARDS: Card[] = [
  { key: "revenue", label: "Revenue (gross sales)", format: amount },
  { key: "netRevenue", label: "Net revenue (after returns)", format: amount },
  { key: "orders", label: "Orders", format: int },
  { key: "customers", label: "Customers", format: int },
  { key: "averageOrderValue", label: "Average order value", format: amount },
  { key: "repeatCustomerRate", label: "Repeat-customer rate", format: (x) => percent(x), rate: true },
  { key: "refundRate", label: "Refund rate", format: (x) => percent(x, 2), rate: true, lowerIsBetter: true },
];

function Change({
  card,
  current,
  previous,
}: {
  card: Card;
  current: number | null;
  previous: number | null | undefined;
}) {
  if (current === null || previous === null || previous === undefined)
    return (
      <Text size="xs" c="dimmed">
        no data in the previous period
      </Text>
    );
  const diff = card.rate ? (current - previous) * 100 : previous === 0 ? null : ((current - previous) / previous) * 100;
  if (diff === null)
    return (
      <Text size="xs" c="dimmed">
        previous period: 0
      </Text>
    );
  const good = card.lowerIsBetter ? diff < 0 : diff > 0;
  return (
    <Text size="xs" c={diff === 0 ? "dimmed" : good ? "teal" : "red"}>
      {diff > 0 ? "▲" : diff < 0 ? "▼" : "="} {Math.abs(diff).toFixed(1)}
      {card.rate ? " pts" : "%"} vs previous period
    </Text>
  );
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const [metric, setMetric] = useState<"revenue" | "orders" | "customers">("revenue");
  if (data.empty) {
    return (
      <Stack align="flex-start">
        <Title order={2}>Welcome to Campaign Lab</Title>
        <Text>
          Import a year of transactions to see revenue, customers and cohorts, and to plan campaign experiments.
        </Text>
        <Button component={Link} to="/data">
          Import data
        </Button>
      </Stack>
    );
  }
  const { report, filter, bounds, filterError, dataset } = data;
  const { kpis, monthly, insights } = report;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Overview</Title>
        <Text c="dimmed">
          {dataset.name} · {kpis.period.from} to {kpis.period.to}
          {data.engine === "warehouse" && " · computed in the warehouse (PostgreSQL)"}
          {filter.country ? ` · ${filter.country}` : ""}
        </Text>
      </div>
      <FilterBar filter={filter} bounds={bounds} error={filterError} />
      <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="kpis">
        {CARDS.map((card) => {
          const value = kpis.current[card.key];
          return (
            <StatCard
              key={card.key}
              padding="md"
              label={card.label}
              value={value === null ? "–" : card.format(value)}
              testId={`kpi-${card.key}`}
            >
              <Change card={card} current={value} previous={kpis.previous?.[card.key]} />
            </StatCard>
          );
        })}
      </SimpleGrid>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          Changes compare with {kpis.previousPeriod.from} to {kpis.previousPeriod.to}, the period of the same length
          just before.
        </Text>
        <Download report="overview" table="kpis" filter={filter} label="KPIs (CSV)" />
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section
          title="Monthly trend"
          aside={
            <SegmentedControl
              size="xs"
              value={metric}
              onChange={(v) => setMetric(v as typeof metric)}
              data={[
                { value: "revenue", label: "Revenue" },
                { value: "orders", label: "Orders" },
                { value: "customers", label: "Customers" },
              ]}
            />
          }
        >
          <MonthlyTrendChart months={monthly} metric={metric} />
          <PartialNote months={monthly} />
        </Section>
        <Section
          title="New and returning customers"
          aside={<Download report="monthly" table="monthly" filter={filter} />}
        >
          <NewReturningChart months={monthly} />
        </Section>
      </SimpleGrid>
      <Section
        title="Key insights"
        testId="insights"
        aside={<Download report="insights" table="insights" filter={filter} />}
      >
        <Stack gap="xs">
          {insights.map((i) => (
            <Text key={i.key}>
              {i.text}{" "}
              <Anchor component={Link} to={i.link} size="sm">
                Evidence →
              </Anchor>
            </Text>
          ))}
          {insights.length === 0 && <Text c="dimmed">No sales in this period.</Text>}
        </Stack>
      </Section>
      <Section title="Months" aside={<Download report="monthly" table="monthly" filter={filter} />}>
        <Table striped fz="sm" data-testid="monthly-table">
          <TableHead columns={["Month", "Revenue", "Orders", "Customers", "New", "Returning"]} alignFigures />
          <Table.Tbody>
            {monthly.map((m) => (
              <Table.Tr key={m.month}>
                <Table.Td>
                  {m.month}
                  {m.partial && (
                    <Text span size="xs" c="orange" ml={6} data-testid="partial-month">
                      partial ({m.days} of {m.daysInMonth} days)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{amount(m.revenue)}</Table.Td>
                <Table.Td ta="right">{int(m.orders)}</Table.Td>
                <Table.Td ta="right">{int(m.customers)}</Table.Td>
                <Table.Td ta="right">{int(m.newCustomers)}</Table.Td>
                <Table.Td ta="right">{int(m.returningCustomers)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>
    </Stack>
  );
}
