import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { json, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { monthlySales } from "~/analytics/monthly.server";
import { getDb } from "~/db/db.server";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { milliToMoney } from "~/ingest/money";
import { MonthlyRevenueChart } from "~/components/MonthlyRevenueChart";

export const meta: MetaFunction = () => [{ title: "Overview · Campaign Lab" }];

export async function loader() {
  const db = getDb();
  const id = activeDatasetId(db);
  const dataset = id === null ? null : getDataset(db, id);
  if (!dataset) return json({ dataset: null, months: [] });
  const months = monthlySales(db, dataset.id).map((m) => ({ ...m, revenue: milliToMoney(m.revenue) }));
  return json({ dataset, months });
}

const n = (x: number) => x.toLocaleString("en-GB");
const money = (x: number) => x.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export default function Overview() {
  const { dataset, months } = useLoaderData<typeof loader>();
  if (!dataset) {
    return (
      <Stack align="flex-start">
        <Title order={2}>Welcome to Campaign Lab</Title>
        <Text>Import a year of transactions to see revenue, customers and cohorts, and to plan campaign experiments.</Text>
        <Button component={Link} to="/data">Import data</Button>
      </Stack>
    );
  }
  const r = dataset.report;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>{dataset.name}</Title>
        <Text c="dimmed">{r.dateRange ? `${r.dateRange[0].slice(0, 10)} to ${r.dateRange[1].slice(0, 10)}` : "no dated lines"} · {r.fileName}</Text>
      </div>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {[
          ["Revenue", money(r.salesRevenue)],
          ["Orders", n(r.invoices)],
          ["Customers", n(r.customers)],
          ["Average order value", money(r.invoices ? r.salesRevenue / r.invoices : 0)],
        ].map(([label, value]) => (
          <Card key={label} withBorder>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
            <Text size="xl" fw={700}>{value}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={4}>Revenue per month</Title>
        </Group>
        <MonthlyRevenueChart months={months} />
      </Card>
    </Stack>
  );
}
