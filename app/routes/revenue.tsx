import { Group, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { ResponsiveBar } from "@nivo/bar";
import { ResponsiveLine } from "@nivo/line";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { contextPage } from "~/analytics/page.server";
import { WEEKDAYS } from "~/analytics/revenue";
import { Heatmap } from "~/components/charts/Heatmap";
import { PartialNote } from "~/components/charts/PartialNote";
import { partialBarDefs, partialBarFill } from "~/components/charts/partial";
import { Download } from "~/components/Download";
import { EmptyState } from "~/components/EmptyState";
import { FilterBar } from "~/components/FilterBar";
import { amount, compact, compactMoney, int, percent } from "~/components/format";
import { Section } from "~/components/Section";
import { TableHead } from "~/components/TableHead";

export const meta: MetaFunction = () => [{ title: "Revenue · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const page = await contextPage(request, "revenue");
  return json(page.empty ? { empty: true as const } : { ...page, empty: false as const });
}

export default function Revenue() {
  const data = useLoaderData<typeof loader>();
  if (data.empty) return <EmptyState title="Revenue" />;
  const { report, filter, bounds, filterError, dataset } = data;
  const { countries, pareto, seasonality, mostReturned } = report;
  const topCountries = countries.slice(0, 15).reverse();
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Revenue</Title>
        <Text c="dimmed">
          {dataset.name} · {report.filter.from} to {report.filter.to}
          {data.engine === "warehouse" && " · computed in the warehouse (PostgreSQL)"}
          {filter.country ? ` · ${filter.country}` : ""}
        </Text>
      </div>
      <FilterBar filter={filter} bounds={bounds} error={filterError} />

      <Section title="By country" aside={<Download report="countries" table="countries" filter={filter} />}>
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <div style={{ height: Math.max(200, topCountries.length * 24 + 60) }} data-testid="chart-countries">
            <ResponsiveBar
              data={topCountries.map((c) => ({ country: c.country, revenue: c.revenue }))}
              keys={["revenue"]}
              indexBy="country"
              layout="horizontal"
              margin={{ top: 5, right: 20, bottom: 40, left: 140 }}
              padding={0.2}
              colors={["#4c6ef5"]}
              axisBottom={{ format: (v) => compactMoney(Number(v)) }}
              valueFormat={(v) => amount(v)}
              enableLabel={false}
              role="img"
              ariaLabel="Revenue by country"
              barAriaLabel={(d) => `${d.indexValue}: ${d.formattedValue}`}
            />
          </div>
          <ScrollArea h={420}>
            <Table striped fz="sm" stickyHeader data-testid="countries-table">
              <TableHead columns={["Country", "Revenue", "Share", "Customers", "Orders", "AOV"]} alignFigures />
              <Table.Tbody>
                {countries.map((c) => (
                  <Table.Tr key={c.country}>
                    <Table.Td>{c.country}</Table.Td>
                    <Table.Td ta="right">{amount(c.revenue)}</Table.Td>
                    <Table.Td ta="right">{percent(c.share)}</Table.Td>
                    <Table.Td ta="right">{int(c.customers)}</Table.Td>
                    <Table.Td ta="right">{int(c.orders)}</Table.Td>
                    <Table.Td ta="right">{c.averageOrderValue === null ? "–" : amount(c.averageOrderValue)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </SimpleGrid>
      </Section>

      <Section title="Products (Pareto)" aside={<Download report="products" table="products" filter={filter} />}>
        <Text size="sm" mb="sm" data-testid="pareto-summary">
          {int(pareto.productsFor80)} of {int(pareto.productCount)} products (
          {percent(pareto.productCount ? pareto.productsFor80 / pareto.productCount : null)}) make 80% of merchandise
          net revenue ({amount(pareto.merchandiseRevenue)}: sales minus returns; postage, fees and vouchers excluded;
          products whose every sale was cancelled are not ranked).
        </Text>
        <div style={{ height: 280 }} data-testid="chart-pareto">
          <ResponsiveLine
            data={[{ id: "cumulative share", data: pareto.curve.map((p) => ({ x: p.rank, y: p.cumulativeShare })) }]}
            margin={{ top: 10, right: 20, bottom: 45, left: 55 }}
            xScale={{ type: "linear", min: 1, max: "auto" }}
            yScale={{ type: "linear", min: 0, max: 1 }}
            axisBottom={{
              legend: `product rank (all ${int(pareto.productCount)} products)`,
              legendOffset: 36,
              legendPosition: "middle",
              format: (v) => compact(Number(v)),
            }}
            axisLeft={{ format: (v) => percent(Number(v), 0) }}
            yFormat={(v) => percent(Number(v))}
            pointSize={pareto.curve.length > 60 ? 0 : 5}
            enableArea
            areaOpacity={0.1}
            useMesh
            colors={["#7048e8"]}
            markers={[
              { axis: "y", value: 0.8, lineStyle: { stroke: "#fa5252", strokeDasharray: "4 4" }, legend: "80%" },
            ]}
            role="img"
          />
        </div>
        <ScrollArea h={360} mt="sm">
          <Table striped fz="sm" stickyHeader data-testid="products-table">
            <TableHead
              columns={[
                "#",
                "Stock code",
                "Description",
                "Net revenue",
                "Returns",
                "Quantity",
                "Orders",
                "Share",
                "Cumulative",
              ]}
            />
            <Table.Tbody>
              {pareto.products.map((p) => (
                <Table.Tr key={p.stockCode}>
                  <Table.Td>{p.rank}</Table.Td>
                  <Table.Td>{p.stockCode}</Table.Td>
                  <Table.Td>{p.description ?? ""}</Table.Td>
                  <Table.Td ta="right">{amount(p.revenue)}</Table.Td>
                  <Table.Td ta="right">{p.returns ? amount(p.returns) : "–"}</Table.Td>
                  <Table.Td ta="right">{int(p.quantity)}</Table.Td>
                  <Table.Td ta="right">{int(p.orders)}</Table.Td>
                  <Table.Td ta="right">{percent(p.share)}</Table.Td>
                  <Table.Td ta="right">{percent(p.cumulativeShare)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {mostReturned.length > 0 && (
          <>
            <Group justify="space-between" mt="md" mb="xs">
              <Title order={5}>Most returned (cancelled value)</Title>
              <Download report="products" table="most-returned" filter={filter} />
            </Group>
            <Text size="sm">
              {mostReturned
                .slice(0, 5)
                .map((r) => `${r.description ?? r.stockCode} ${amount(r.returnedValue)}`)
                .join(" · ")}
            </Text>
          </>
        )}
      </Section>

      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section title="Revenue by month" aside={<Download report="seasonality" table="months" filter={filter} />}>
          <div style={{ height: 300 }} data-testid="chart-season-months">
            <ResponsiveBar
              data={seasonality.months.map((m) => ({ month: m.month, revenue: m.revenue, partial: m.partial ? 1 : 0 }))}
              keys={["revenue"]}
              indexBy="month"
              margin={{ top: 10, right: 10, bottom: 50, left: 70 }}
              padding={0.25}
              colors={["#12b886"]}
              defs={partialBarDefs}
              fill={partialBarFill}
              axisBottom={{
                tickRotation: -40,
                format: (v) => (seasonality.months.find((m) => m.month === v)?.partial ? `${v}*` : String(v)),
              }}
              axisLeft={{ format: (v) => compactMoney(Number(v)) }}
              valueFormat={(v) => amount(v)}
              enableLabel={false}
              role="img"
              ariaLabel="Revenue by month"
              barAriaLabel={(d) => `${d.indexValue}: ${d.formattedValue}`}
            />
          </div>
          <PartialNote months={seasonality.months} />
        </Section>
        <Section
          title="Orders by weekday and hour"
          aside={<Download report="seasonality" table="weekday-hour" filter={filter} />}
        >
          <WeekdayHour grid={seasonality.weekdayHour} />
        </Section>
      </SimpleGrid>
    </Stack>
  );
}

function WeekdayHour({ grid }: { grid: number[][] }) {
  const hours = [...Array(24).keys()].filter((h) => grid.some((row) => row[h] > 0));
  const first = hours[0] ?? 0;
  const last = hours.at(-1) ?? 23;
  const rows = grid.map((row, d) => ({
    id: WEEKDAYS[d].slice(0, 3),
    data: Array.from({ length: last - first + 1 }, (_, i) => ({ x: `${first + i}h`, y: row[first + i] })),
  }));
  return (
    <Heatmap rows={rows} format={(v) => int(v)} testId="chart-weekday-hour" rowHeight={34} left={50} scheme="greens" />
  );
}
