import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import type { Comparison } from "~/experiments/stats/analysis";
import type { ResultsAnalysis } from "~/experiments/verdict";
import { amount, int, percent } from "./format";

const METRIC_NAMES = { conversion: "Conversion", revenue: "Revenue per customer", aov: "Average order value", refundRate: "Refund rate" } as const;
const VERDICTS = {
  ship: { colour: "teal", title: "Ship" },
  "dont-ship": { colour: "red", title: "Don't ship" },
  inconclusive: { colour: "yellow", title: "Inconclusive — keep running" },
} as const;

/** Relative lifts with their intervals, one line per treatment × metric (a forest plot drawn with nivo's line chart). */
function IntervalChart({ rows }: { rows: { label: string; c: Comparison }[] }) {
  const series = rows.map(({ label, c }) => ({ id: label, data: [{ x: c.relative.ci[0] * 100, y: label }, { x: c.relative.estimate * 100, y: label }, { x: c.relative.ci[1] * 100, y: label }] }));
  const extent = Math.max(5, ...rows.flatMap(({ c }) => c.relative.ci.map((v) => Math.abs(v) * 100)));
  return (
    <div style={{ height: Math.max(140, rows.length * 36 + 60) }} data-testid="chart-intervals">
      <ResponsiveLine data={series} margin={{ top: 10, right: 30, bottom: 45, left: 230 }} xScale={{ type: "linear", min: -extent * 1.1, max: extent * 1.1 }}
        yScale={{ type: "point" }} axisBottom={{ legend: "relative lift (%) with its confidence interval", legendOffset: 36, legendPosition: "middle" }}
        colors={{ scheme: "category10" }} pointSize={8} lineWidth={3} enableGridY={false} useMesh
        markers={[{ axis: "x", value: 0, lineStyle: { stroke: "#868e96", strokeWidth: 1 } }]} role="img" />
    </div>
  );
}

function ComparisonTable({ title, comparisons, format }: { title: string; comparisons: Comparison[]; format: (x: number) => string }) {
  return (
    <Table fz="sm" striped>
      <Table.Thead>
        <Table.Tr>{[title, "Absolute lift", "CI", "Relative lift", "CI", "p"].map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {comparisons.map((c) => (
          <Table.Tr key={c.arm}>
            <Table.Td>{c.arm}</Table.Td>
            <Table.Td>{format(c.absolute.estimate)}</Table.Td>
            <Table.Td>{format(c.absolute.ci[0])} to {format(c.absolute.ci[1])}</Table.Td>
            <Table.Td>{percent(c.relative.estimate, 2)}</Table.Td>
            <Table.Td>{percent(c.relative.ci[0], 2)} to {percent(c.relative.ci[1], 2)}</Table.Td>
            <Table.Td>{c.absolute.pValue.toPrecision(3)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ResultsView({ analysis, alpha }: { analysis: ResultsAnalysis; alpha: number }) {
  const v = VERDICTS[analysis.decision.verdict];
  const points = (x: number) => `${(x * 100).toFixed(3)} pts`;
  const formats = { conversion: points, revenue: amount, aov: amount, refundRate: points };
  const chartRows = (Object.keys(METRIC_NAMES) as (keyof typeof METRIC_NAMES)[]).flatMap((m) => (analysis.metrics[m] ?? []).map((c) => ({ label: `${c.arm} · ${METRIC_NAMES[m]}`, c })));
  return (
    <Stack gap="md" data-testid="results">
      {analysis.srm.flagged && (
        <Alert color="red" title="Sample ratio mismatch" data-testid="srm-banner">
          The arm sizes ({analysis.arms.map((a) => int(a.users)).join(" / ")}) do not match the planned allocation (χ² {analysis.srm.chi2.toFixed(2)}, p {analysis.srm.pValue.toExponential(2)} &lt; 0.001). The assignment or the tracking is broken: do not trust these results.
        </Alert>
      )}
      <Card withBorder style={{ borderColor: `var(--mantine-color-${v.colour}-6)`, borderWidth: 2 }} data-testid="decision">
        <Group justify="space-between">
          <Title order={3} c={`${v.colour}.8`}>{v.title}{analysis.decision.arm ? `: ${analysis.decision.arm}` : ""}</Title>
          {analysis.decision.extraPerArm !== null && <Badge size="lg" color="yellow">{int(analysis.decision.extraPerArm)} more customers per arm for the planned power</Badge>}
        </Group>
        <Stack gap={2} mt="xs">
          {analysis.decision.reasons.map((r) => <Text key={r} size="sm">• {r}</Text>)}
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={5} mb="xs">Per arm</Title>
        <Table fz="sm" striped data-testid="arms-table">
          <Table.Thead>
            <Table.Tr>{["Arm", "Users", "Conversion", "Revenue per customer", "AOV", "Refund rate"].map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {analysis.arms.map((a) => (
              <Table.Tr key={a.name}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{int(a.users)}</Table.Td>
                <Table.Td>{percent(a.conversion, 2)}</Table.Td>
                <Table.Td>{a.revenuePerCustomer === null ? "–" : amount(a.revenuePerCustomer)}</Table.Td>
                <Table.Td>{a.aov === null ? "–" : amount(a.aov)}</Table.Td>
                <Table.Td>{percent(a.refundRate, 2)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder>
        <Title order={5} mb="xs">Lifts against control ({percent(1 - alpha, 0)} intervals)</Title>
        <IntervalChart rows={chartRows} />
        <Stack gap="sm" mt="sm">
          {(Object.keys(METRIC_NAMES) as (keyof typeof METRIC_NAMES)[]).map((m) =>
            analysis.metrics[m] ? <ComparisonTable key={m} title={METRIC_NAMES[m]} comparisons={analysis.metrics[m]!} format={formats[m]} /> : <Text key={m} size="xs" c="dimmed">{METRIC_NAMES[m]}: needs per-customer results{m === "refundRate" ? " with refunds in control" : ""}.</Text>,
          )}
        </Stack>
        {analysis.primary.comparisons.length > 1 && (
          <Text size="xs" c="dimmed" mt="xs">
            Primary metric p-values adjusted by {analysis.primary.correction === "holm" ? "Holm" : "Benjamini–Hochberg"}: {analysis.primary.comparisons.map((c) => `${c.arm} ${c.adjustedP.toPrecision(3)}`).join(", ")}; guardrails are not adjusted.
          </Text>
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">Guardrails (one-sided non-inferiority at α {alpha})</Title>
          {analysis.guardrails.length === 0 ? <Text size="sm" c="dimmed">No guardrail could be evaluated (they need per-customer results).</Text> : (
            <Table fz="sm" data-testid="guardrails">
              <Table.Thead><Table.Tr>{["Arm", "Guardrail", "Change", "Bound", "Margin", "Verdict"].map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
              <Table.Tbody>
                {analysis.guardrails.map((g) => (
                  <Table.Tr key={`${g.arm}-${g.metric}`}>
                    <Table.Td>{g.arm}</Table.Td>
                    <Table.Td>{g.metric === "refund_rate" ? "Refund rate" : "AOV"}</Table.Td>
                    <Table.Td>{percent(g.estimate, 2)}</Table.Td>
                    <Table.Td>{percent(g.bound, 2)}</Table.Td>
                    <Table.Td>{g.metric === "refund_rate" ? "+" : "−"}{percent(g.margin, 1)}</Table.Td>
                    <Table.Td><Badge color={g.verdict === "pass" ? "teal" : g.verdict === "fail" ? "red" : "yellow"}>{g.verdict === "inconclusive" ? "not yet conclusive" : g.verdict}</Badge></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder data-testid="cuped">
          <Title order={5} mb="xs">CUPED (pre-period spend as covariate)</Title>
          {analysis.cuped ? (
            <Stack gap="xs">
              <Text size="sm">θ = {analysis.cuped.theta.toPrecision(4)} · variance reduction <b>{percent(analysis.cuped.varianceReduction, 1)}</b></Text>
              <Table fz="sm">
                <Table.Thead><Table.Tr>{["Arm", "Unadjusted lift", "CI", "CUPED lift", "CI"].map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
                <Table.Tbody>
                  {analysis.cuped.adjusted.map((c, i) => {
                    const u = analysis.cuped!.unadjusted[i];
                    const f = analysis.primary.metric === "conversion" ? points : amount;
                    return (
                      <Table.Tr key={c.arm}>
                        <Table.Td>{c.arm}</Table.Td>
                        <Table.Td>{f(u.absolute.estimate)}</Table.Td>
                        <Table.Td>{f(u.absolute.ci[0])} to {f(u.absolute.ci[1])}</Table.Td>
                        <Table.Td>{f(c.absolute.estimate)}</Table.Td>
                        <Table.Td>{f(c.absolute.ci[0])} to {f(c.absolute.ci[1])}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Stack>
          ) : <Text size="sm" c="dimmed">Needs per-customer results (an upload or a simulation) and a conversion or revenue primary metric.</Text>}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
