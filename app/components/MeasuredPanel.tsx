import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { ResponsiveLine, type LineCustomSvgLayerProps } from "@nivo/line";
import { Form } from "@remix-run/react";
import type { MeasuredReport, OverTimeDay } from "~/experiments/measure.server";
import { DECISION_LABELS, decisionOfVerdict } from "~/experiments/decisions";
import { liftLower } from "~/lib/lift";
import { amount, int, percent, signedPercent } from "./format";
import { TableHead } from "~/components/TableHead";

// Measured results (issue 13): the days observed of the window, the per-arm outcomes measured from the data set, and
// the results over time (the primary metric's lift with its interval, day by day; sequential while interim).

type BandLayerProps = LineCustomSvgLayerProps<{ id: string; data: { x: number; y: number | null }[] }>;

/** The interval around the lift, drawn as a band between the low and high series. */
function band(days: OverTimeDay[], arm: string) {
  return function Band({ xScale, yScale }: BandLayerProps) {
    const points = days
      .map((d) => ({ x: d.day, l: d.lifts.find((l) => l.arm === arm) }))
      .filter((p) => p.l && p.l.low !== null && p.l.high !== null);
    if (points.length < 1) return null;
    const x = xScale as unknown as (v: number) => number;
    const y = yScale as unknown as (v: number) => number;
    const clip = (v: number) => Math.max(-1, Math.min(3, v));
    const top = points.map((p) => `${x(p.x)},${y(clip(p.l!.high!))}`);
    const bottom = points
      .slice()
      .reverse()
      .map((p) => `${x(p.x)},${y(clip(p.l!.low!))}`);
    return (
      <polygon
        points={[...top, ...bottom].join(" ")}
        fill="#4c6ef5"
        fillOpacity={0.15}
        stroke="none"
        data-testid="over-time-band"
      />
    );
  };
}

function OverTimeChart({ days, arm }: { days: OverTimeDay[]; arm: string }) {
  const series = days.map((d) => {
    const y = d.lifts.find((l) => l.arm === arm)?.estimate ?? null;
    return { x: d.day, y: y === null ? null : Math.max(-1, Math.min(3, y)) };
  });
  const values = days
    .flatMap((d) => d.lifts.filter((l) => l.arm === arm).flatMap((l) => [l.low, l.high, l.estimate]))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  // the first days' intervals are very wide: the axis stops at −100% … +300% so that the later days stay readable
  const min = Math.max(-1, Math.min(0, ...values));
  const max = Math.min(3, Math.max(0, ...values));
  return (
    <div style={{ height: 260 }} data-testid="over-time-chart" data-days={days.length}>
      <ResponsiveLine
        data={[{ id: `${arm} lift`, data: series }]}
        margin={{ top: 10, right: 20, bottom: 45, left: 60 }}
        xScale={{ type: "linear", min: 1, max: Math.max(1, days.length) }}
        yScale={{ type: "linear", min: min === max ? -1 : min, max: min === max ? 1 : max }}
        axisLeft={{
          format: (v) => percent(Number(v), 0),
          legend: "relative lift",
          legendOffset: -50,
          legendPosition: "middle",
        }}
        axisBottom={{
          legend: "day since the start",
          legendOffset: 36,
          legendPosition: "middle",
          tickValues: Math.min(days.length, 10),
        }}
        yFormat={(v) => percent(Number(v), 1)}
        colors={["#4c6ef5"]}
        pointSize={5}
        useMesh
        markers={[{ axis: "y", value: 0, lineStyle: { stroke: "#868e96", strokeDasharray: "4 4" } }]}
        layers={["grid", "markers", "axes", band(days, arm), "lines", "points", "mesh"]}
        role="img"
      />
    </div>
  );
}

/** `canComplete`: the experiment is running (it can be measured again, and completed once day W is observed). */
export function MeasuredPanel({
  report,
  days,
  experimentId,
  canComplete,
  busy,
}: {
  report: MeasuredReport;
  days: OverTimeDay[];
  experimentId: number;
  canComplete: boolean;
  busy: boolean;
}) {
  const final = report.daysObserved >= report.windowDays;
  const treatments = report.arms.slice(1);
  const verdict = report.analysis?.decision.verdict;
  return (
    <Card withBorder padding="lg" data-testid="measured">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={4}>Measured from the shop's transactions</Title>
          <Badge color={final ? "teal" : "orange"} variant="light">
            {final ? "final" : "interim"}
          </Badge>
        </Group>
        <Text data-testid="measured-days">
          Day {report.daysObserved} of {report.windowDays} observed, through {report.observedThrough} (start day{" "}
          {report.startDate}).
          {!final &&
            " Interim results: read with sequential (always-valid) intervals; add newer transactions on the Data page to observe more days."}
        </Text>
        <Table striped withTableBorder fz="sm" data-testid="measured-arms">
          <TableHead
            columns={["Arm", "Users", "Buyers", "Conversion", "Revenue", "Orders", "Refunded", "Pre-period spend"]}
          />
          <Table.Tbody>
            {report.arms.map((a) => (
              <Table.Tr key={a.name}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{int(a.users)}</Table.Td>
                <Table.Td>{int(a.conversions)}</Table.Td>
                <Table.Td>{percent(a.users ? a.conversions / a.users : null)}</Table.Td>
                <Table.Td>{amount(a.revenueSum)}</Table.Td>
                <Table.Td>{int(a.orders)}</Table.Td>
                <Table.Td>{amount(a.refunded)}</Table.Td>
                <Table.Td>{amount(a.preSpendSum)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Anchor size="sm" href={`/experiments/${experimentId}/measured.csv`} download>
          measured.csv
        </Anchor>
        <Text size="xs" c="dimmed">
          Every assigned customer's outcome over the days after the start, by the back-test's definitions: a buyer has
          at least one sales line; revenue sums sales, orders count sales invoices, refunded sums cancellations; the
          pre-period spend (the CUPED covariate) sums sales over the {report.windowDays} days up to the start. A
          customer with no line counts as zeros.
        </Text>
        {report.problem && (
          <Text c="red" size="sm">
            {report.problem}
          </Text>
        )}
        <Group>
          {canComplete && (
            <Form method="post">
              <input type="hidden" name="intent" value="measure" />
              <Button type="submit" variant="light" loading={busy}>
                Measure again
              </Button>
            </Form>
          )}
          {canComplete && final && verdict && (
            <Form method="post">
              <input type="hidden" name="intent" value="complete-measured" />
              <Button type="submit" color="teal" loading={busy} data-testid="complete-measured">
                Complete the experiment as {DECISION_LABELS[decisionOfVerdict(verdict)]}
              </Button>
            </Form>
          )}
          {!final && canComplete && (
            <Text size="sm" c="dimmed">
              The experiment can be completed once day {report.windowDays} is observed.
            </Text>
          )}
        </Group>

        <Group justify="space-between">
          <Title order={5}>Results over time</Title>
          <Anchor size="sm" href={`/experiments/${experimentId}/over-time.csv`} download>
            over-time.csv
          </Anchor>
        </Group>
        {treatments.map((t) => (
          <Stack key={t.name} gap={4}>
            <Text size="sm">
              {t.name} against {report.arms[0].name}: relative lift of the primary metric by day, with its interval (
              {final
                ? "sequential while interim, the design's engine on day " + report.windowDays
                : "sequential, always valid"}
              ).
            </Text>
            <OverTimeChart days={days} arm={t.name} />
          </Stack>
        ))}
        <Table withTableBorder fz="xs" data-testid="over-time-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Day</Table.Th>
              <Table.Th>Date</Table.Th>
              {report.arms.map((a) => (
                <Table.Th key={a.name}>{a.name}: users · buyers · revenue</Table.Th>
              ))}
              {treatments.map((t) => (
                <Table.Th key={t.name}>{t.name}: lift (interval)</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {days.map((d) => (
              <Table.Tr key={d.day}>
                <Table.Td>{d.day}</Table.Td>
                <Table.Td>{d.date}</Table.Td>
                {d.arms.map((a) => (
                  <Table.Td key={a.name}>
                    {int(a.users)} · {int(a.conversions)} · {amount(a.revenue)}
                  </Table.Td>
                ))}
                {treatments.map((t) => {
                  const l = d.lifts.find((x) => x.arm === t.name);
                  return (
                    <Table.Td key={t.name}>
                      {l && l.estimate !== null
                        ? `${signedPercent(l.estimate)} (${liftLower(l.low, signedPercent, "–")} to ${signedPercent(l.high)}, ${l.engine})`
                        : (l?.reason ?? "–")}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
