import { Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { retentionCells, type RetentionView } from "~/analytics/cohorts";
import { contextPage } from "~/analytics/page.server";
import { Heatmap } from "~/components/charts/Heatmap";
import { Download } from "~/components/Download";
import { EmptyState } from "~/components/EmptyState";
import { FilterBar } from "~/components/FilterBar";
import { amount, int, percent } from "~/components/format";
import { Section } from "~/components/Section";
import { StatCard } from "~/components/Stat";

export const meta: MetaFunction = () => [{ title: "Cohorts · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const page = await contextPage(request, "cohorts");
  return json(page.empty ? { empty: true as const } : { ...page, empty: false as const });
}

const VIEWS: { value: RetentionView; label: string; explain: string }[] = [
  {
    value: "customers",
    label: "Customers active",
    explain: "Share of the cohort who purchased in month k (month 0 = month of first purchase).",
  },
  { value: "revenue", label: "Revenue retention", explain: "Cohort revenue in month k ÷ its revenue in month 0." },
  {
    value: "cumulative",
    label: "Cumulative revenue per customer",
    explain: "Cohort revenue from month 0 to k ÷ cohort size.",
  },
];

export default function Cohorts() {
  const data = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  if (data.empty) return <EmptyState title="Cohorts" />;
  const view = (VIEWS.find((v) => v.value === params.get("view"))?.value ?? "customers") as RetentionView;
  const { report, filter, bounds, filterError, dataset } = data;
  const width = report.cohorts[0]?.active.length ?? 0;
  const rows = report.cohorts
    .filter((r) => r.size > 0)
    .map((r) => {
      const cells = retentionCells(r, view);
      const partialRow = r.month === report.cohorts[0]?.month && report.coverage?.first.partial;
      // each cohort's last column is the period's last month: incomplete when that month is partial
      const lastK = r.active.length - 1;
      return {
        id: `${r.month} (${int(r.size)})${partialRow ? " partial" : ""}`,
        data: Array.from({ length: width }, (_, k) => ({
          x: `${k}`,
          y: cells[k] ?? null,
          partial: k === lastK && !!report.coverage?.last.partial,
        })),
      };
    });
  const cov = report.coverage;
  const format = view === "cumulative" ? amount : (v: number) => percent(v, 0);
  const second = report.secondPurchase;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Cohorts</Title>
        <Text c="dimmed">
          {dataset.name} · customers acquired {report.filter.from} to {report.filter.to}
          {data.engine === "warehouse" && " · computed in the warehouse (PostgreSQL)"}
          {filter.country ? ` in ${filter.country}` : ""}
        </Text>
      </div>
      <FilterBar filter={filter} bounds={bounds} error={filterError} keep={{ view: params.get("view") ?? undefined }} />
      <Section
        title="Retention by acquisition month"
        aside={
          <SegmentedControl
            size="xs"
            value={view}
            data={VIEWS.map(({ value, label }) => ({ value, label }))}
            onChange={(v) => setParams((p) => (p.set("view", v), p), { replace: true, preventScrollReset: true })}
          />
        }
      >
        <Text size="sm" c="dimmed" mb="sm">
          {VIEWS.find((v) => v.value === view)!.explain} Rows: acquisition month (cohort size); columns: months since
          acquisition.
        </Text>
        {rows.length ? (
          <Heatmap rows={rows} format={format} testId="cohort-heatmap" left={150} />
        ) : (
          <Text c="dimmed">No customer was acquired in this period.</Text>
        )}
        {cov && (cov.first.partial || cov.last.partial) && (
          <Text size="xs" c="dimmed" mt={4} data-testid="cohort-partial-note">
            {cov.last.partial &&
              `* Not yet complete: each cohort's last column is ${report.filter.to.slice(0, 7)}, partial (${cov.last.days} of ${cov.last.daysInMonth} days). `}
            {cov.first.partial &&
              `The ${report.filter.from.slice(0, 7)} cohort was acquired in a partial month (${cov.first.days} of ${cov.first.daysInMonth} days).`}
          </Text>
        )}
        <Group gap="md" mt="xs">
          <Download report="cohorts" table="cohorts-active" filter={filter} label="Active customers (CSV)" />
          <Download report="cohorts" table="cohorts-revenue" filter={filter} label="Revenue (CSV)" />
        </Group>
      </Section>
      <Section
        title="Time to second purchase"
        aside={<Download report="cohorts" table="second-purchase" filter={filter} />}
      >
        <Text size="sm" c="dimmed" mb="sm">
          Share of the {int(second.newCustomers)} new customers who bought again within N days of their first order.
          Each day counts only customers acquired at least N days before the end of the period, so recent customers do
          not pull the curve down.
        </Text>
        <SimpleGrid cols={3} mb="sm" data-testid="second-purchase-callouts">
          {second.callouts.map((c) => (
            <StatCard key={c.days} label={`Day ${c.days}`} value={percent(c.share)} />
          ))}
        </SimpleGrid>
        <div style={{ height: 280 }} data-testid="chart-second-purchase">
          <ResponsiveLine
            data={[
              {
                id: "bought again",
                data: second.curve.filter((c) => c.share !== null).map((c) => ({ x: c.days, y: c.share })),
              },
            ]}
            margin={{ top: 10, right: 20, bottom: 45, left: 55 }}
            xScale={{ type: "linear", min: 1, max: 180 }}
            yScale={{ type: "linear", min: 0, max: "auto" }}
            axisBottom={{
              legend: "days since first purchase",
              legendOffset: 36,
              legendPosition: "middle",
              tickValues: [1, 7, 30, 60, 90, 120, 150, 180],
            }}
            axisLeft={{ format: (v) => percent(Number(v), 0) }}
            yFormat={(v) => percent(Number(v))}
            enablePoints={false}
            useMesh
            colors={["#4c6ef5"]}
            markers={[7, 30, 90].map((d) => ({
              axis: "x" as const,
              value: d,
              lineStyle: { stroke: "#adb5bd", strokeDasharray: "4 4" },
              legend: `Day ${d}`,
              textStyle: { fontSize: 11 },
            }))}
            role="img"
          />
        </div>
      </Section>
    </Stack>
  );
}
