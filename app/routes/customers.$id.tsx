import { Badge, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { amount, plural } from "~/components/format";
import { StatCard } from "~/components/Stat";
import { activeDataset } from "~/db/active.server";
import { customerPage } from "~/segments/warehouse.server";
import { segmentSlug } from "~/segments/rfm";
import { TableHead } from "~/components/TableHead";
import { BackLink } from "~/components/BackLink";
import { Section } from "~/components/Section";

export const meta: MetaFunction<typeof loader> = ({ params }) => [{ title: `Customer ${params.id} · Campaign Lab` }];

export async function loader({ params }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const detail = await customerPage(active.db, active.id, params.id ?? "");
  if (!detail) throw new Response(`No customer "${params.id}" with a purchase in ${active.name}`, { status: 404 });
  return json({ empty: false as const, ...detail });
}

export default function Customer() {
  const data = useLoaderData<typeof loader>();
  if (data.empty) return <EmptyState title="Customer" />;
  const { rfm, orders } = data;
  const stat = (label: string, value: string, hint?: string) => (
    <StatCard
      size="lg"
      label={label}
      value={value}
      hint={hint}
      testId={`customer-${label.split(" ")[0].toLowerCase()}`}
    />
  );
  return (
    <Stack gap="lg" data-testid="customer">
      <div>
        <BackLink to="/segments">Segments</BackLink>
        <Title order={2}>Customer {rfm.customerId}</Title>
        <Group gap="xs">
          <Badge component={Link} to={`/segments/${segmentSlug(rfm.segment)}`} style={{ cursor: "pointer" }}>
            {rfm.segment}
          </Badge>
          <Badge variant="light" color="grape">
            {rfm.persona}
          </Badge>
          <Text c="dimmed" size="sm">
            {rfm.country} · first order {rfm.firstPurchaseAt.slice(0, 10)} (cohort {rfm.cohortMonth}) · last order{" "}
            {rfm.lastPurchaseAt.slice(0, 10)}
          </Text>
        </Group>
      </div>
      <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
        {stat("Recency", plural(rfm.recency, "day"))}
        {stat("Frequency", plural(rfm.frequency, "order"))}
        {stat("Gross sales", amount(rfm.sales))}
        {stat("Returns", amount(rfm.returns), plural(rfm.returnOrders, "cancellation"))}
        {stat("Net spend (monetary)", amount(rfm.monetary), "sales − returns, floored at 0")}
        {stat("Average order (net)", amount(rfm.frequency ? rfm.monetary / rfm.frequency : 0))}
      </SimpleGrid>
      <Text size="sm" c="dimmed" data-testid="rfm-explained">
        RFM scores R {rfm.r} · F {rfm.f} · M {rfm.m} (1 = lowest fifth of customers, 5 = highest; for recency, 5 = most
        recent): net spend is gross sales minus returns, floored at 0, and it sets the M score.
      </Text>
      <Section title="Orders and returns">
        <Table striped fz="sm" data-testid="customer-orders">
          <TableHead columns={["Invoice", "Date", "Kind", "Lines", "Amount", "Country"]} />
          <Table.Tbody>
            {orders.map((o) => (
              <Table.Tr key={`${o.kind}-${o.invoice}`}>
                <Table.Td>{o.invoice}</Table.Td>
                <Table.Td>{o.at.replace("T", " ").slice(0, 16)}</Table.Td>
                <Table.Td>
                  {o.kind === "sale" ? (
                    "order"
                  ) : (
                    <Badge color="orange" size="sm">
                      return
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">{o.lines}</Table.Td>
                <Table.Td ta="right">{amount(o.amount)}</Table.Td>
                <Table.Td>{o.country}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>
    </Stack>
  );
}
