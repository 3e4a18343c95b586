import { Anchor, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { ResponsiveBar } from "@nivo/bar";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams, useSubmit } from "@remix-run/react";
import { filterSchema } from "~/analytics/filter";
import { EmptyState } from "~/components/EmptyState";
import { amount, int, percent } from "~/components/format";
import { valueByGroup, valueModel } from "~/planning/value.server";
import { activeDataset } from "~/db/active.server";

export const meta: MetaFunction = () => [{ title: "Customer value · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const search = new URL(request.url).searchParams;
  const date = filterSchema.safeParse({ from: search.get("calibrationEnd") || undefined });
  const model = valueModel(active.db, active.id, date.success ? date.data.from : undefined);
  const by = search.get("by") === "persona" ? "persona" : "segment";
  const top = [...model.rows].sort((a, b) => b.revenue365 - a.revenue365).slice(0, 25);
  const { rows: _rows, ...fit } = model;
  return json({ empty: false as const, fit, groups: valueByGroup(model, by), top, by, dateError: date.success ? null : "use a date YYYY-MM-DD within the data" });
}

export default function Value() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  if (data.empty) return <EmptyState title="Customer value" />;
  const { fit, groups, top, by } = data;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Customer value</Title>
        <Text c="dimmed">Historical value, and the next year predicted by BG/NBD (repeat purchases) and Gamma-Gamma (value per purchase), fitted by maximum likelihood on the purchases up to the calibration end.</Text>
      </div>
      <Card withBorder>
        <Form method="get" onChange={(e) => submit(e.currentTarget, { replace: true })}>
          <input type="hidden" name="by" value={by} />
          <Group align="flex-end">
            <TextInput type="date" name="calibrationEnd" label="Calibration end" defaultValue={fit.calibrationEnd} max={fit.dataEnd} error={data.dateError} />
            <Text size="sm" c="dimmed">{int(fit.customers)} customers calibrate the models; the {fit.holdoutWeeks.toFixed(1)} weeks after it (to {fit.dataEnd}) check them. Fitted in {fit.seconds.toFixed(2)} s.</Text>
          </Group>
        </Form>
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="sm" data-testid="clv-parameters">
          <Text size="sm">BG/NBD: r {fit.bgnbd.r.toFixed(4)}, α {fit.bgnbd.alpha.toFixed(4)}, a {fit.bgnbd.a.toFixed(4)}, b {fit.bgnbd.b.toFixed(4)} (log-likelihood {fit.bgnbd.logLikelihood.toFixed(2)})</Text>
          <Text size="sm">Gamma-Gamma: p {fit.gammaGamma.p.toFixed(4)}, q {fit.gammaGamma.q.toFixed(4)}, v {fit.gammaGamma.v.toFixed(4)} ({int(fit.gammaGamma.customers)} repeat buyers)</Text>
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={4}>By {by}</Title>
          <Group>
            <SegmentedControl size="xs" value={by} data={[{ value: "segment", label: "Segments" }, { value: "persona", label: "Personas" }]}
              onChange={(v) => submit({ by: v, calibrationEnd: params.get("calibrationEnd") ?? "" }, { method: "get", replace: true })} />
            <Anchor size="sm" href={`/api/clv?format=csv&calibrationEnd=${fit.calibrationEnd}`} download>clv_customers.csv</Anchor>
          </Group>
        </Group>
        <Table striped fz="sm" data-testid="value-groups">
          <Table.Thead>
            <Table.Tr>{["Group", "Customers", "Revenue to date", "Per active month", "Per order", "P(alive)", "Purchases 30 d", "90 d", "365 d", "Expected revenue 365 d"].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.map((g) => (
              <Table.Tr key={g.group}>
                <Table.Td fw={600}>{g.group}</Table.Td>
                <Table.Td>{int(g.customers)}</Table.Td>
                <Table.Td>{amount(g.revenue)}</Table.Td>
                <Table.Td>{amount(g.revenuePerActiveMonth)}</Table.Td>
                <Table.Td>{amount(g.revenuePerOrder)}</Table.Td>
                <Table.Td>{percent(g.pAlive, 0)}</Table.Td>
                <Table.Td>{g.purchases30.toFixed(2)}</Table.Td>
                <Table.Td>{g.purchases90.toFixed(2)}</Table.Td>
                <Table.Td>{g.purchases365.toFixed(2)}</Table.Td>
                <Table.Td>{amount(g.revenue365)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={4} mb="xs">Holdout check</Title>
          <Text size="xs" c="dimmed">Mean purchases after the calibration end, predicted against actual, by repeat purchases during calibration.</Text>
          <div style={{ height: 280 }} data-testid="chart-holdout">
            <ResponsiveBar data={fit.holdout.map((h) => ({ x: h.x, Predicted: Math.round(h.predicted * 1000) / 1000, Actual: Math.round(h.actual * 1000) / 1000 }))} keys={["Predicted", "Actual"]} indexBy="x" groupMode="grouped"
              margin={{ top: 10, right: 100, bottom: 40, left: 50 }} padding={0.25} colors={["#4c6ef5", "#12b886"]} enableLabel={false}
              axisBottom={{ legend: "repeat purchases in calibration", legendOffset: 32, legendPosition: "middle" }}
              legends={[{ dataFrom: "keys", anchor: "right", direction: "column", translateX: 95, itemWidth: 80, itemHeight: 20 }]} role="img" ariaLabel="Holdout check" />
          </div>
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">Most valuable next year</Title>
          <Table fz="xs" data-testid="value-top">
            <Table.Thead><Table.Tr>{["Customer", "Segment", "P(alive)", "365 d purchases", "Expected revenue"].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
            <Table.Tbody>
              {top.map((c) => (
                <Table.Tr key={c.customerId}>
                  <Table.Td><Anchor href={`/customers/${encodeURIComponent(c.customerId)}`} size="xs">{c.customerId}</Anchor></Table.Td>
                  <Table.Td>{c.segment}</Table.Td>
                  <Table.Td>{percent(c.pAlive, 0)}</Table.Td>
                  <Table.Td>{c.purchases365.toFixed(2)}</Table.Td>
                  <Table.Td>{amount(c.revenue365)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
