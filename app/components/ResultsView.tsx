import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import type { EngineComparison, ScaleFigures } from "~/experiments/stats/engines";
import { DECISION_RULES, VERDICT_TITLES, type MetricKey, type ResultsAnalysis } from "~/experiments/verdict";
import { liftLower } from "~/lib/lift";
import { amount, int, percent, signedPercent } from "./format";
import { TableHead } from "~/components/TableHead";
import { significant } from "~/lib/numbers";
import { Section } from "./Section";

const METRIC_NAMES: Record<MetricKey, string> = {
  conversion: "Conversion",
  revenue: "Revenue per customer",
  aov: "Average order value",
  refundRate: "Refund rate",
};
const VERDICT_COLOURS = {
  ship: "teal",
  "dont-ship": "red",
  "keep-running": "yellow",
  "cannot-decide": "gray",
} as const;

/** The lift chart's axis reaches at most ±100% (relative lift, in %). */
const AXIS_CAP = 100;

/** Relative lifts with their intervals, one line per treatment × metric (a forest plot drawn with nivo's line chart); an open end is drawn at the edge. */
function IntervalChart({ rows, label }: { rows: { label: string; c: EngineComparison }[]; label: string }) {
  const drawn = rows.filter(({ c }) => c.relative.estimate !== null && c.relative.ci !== null);
  const extent = Math.max(
    5,
    ...drawn.flatMap(({ c }) =>
      [...c.relative.ci!, c.relative.estimate].filter((v): v is number => v !== null).map((v) => Math.abs(v) * 100),
    ),
  );
  // issue 14: a guardrail's wide interval (refund rate: ±300%) flattened every other line; the axis stops at ±AXIS_CAP
  // and longer intervals are cut at the edge (the table beside gives them in full)
  const edge = Math.min(extent, AXIS_CAP) * 1.1;
  const clip = (x: number) => Math.max(-edge, Math.min(edge, x));
  const series = drawn.map(({ label: l, c }) => ({
    id: l,
    data: [
      { x: c.relative.ci![0] === null ? -edge : clip(c.relative.ci![0]! * 100), y: l },
      { x: clip(c.relative.estimate! * 100), y: l },
      { x: c.relative.ci![1] === null ? edge : clip(c.relative.ci![1]! * 100), y: l },
    ],
  }));
  return (
    <div
      style={{ height: Math.max(140, drawn.length * 36 + 60) }}
      data-testid="chart-intervals"
      data-clipped={extent > AXIS_CAP ? "yes" : "no"}
    >
      <ResponsiveLine
        data={series}
        margin={{ top: 10, right: 30, bottom: 45, left: 230 }}
        xScale={{ type: "linear", min: -edge, max: edge }}
        yScale={{ type: "point" }}
        axisBottom={{ legend: label, legendOffset: 36, legendPosition: "middle" }}
        colors={{ scheme: "category10" }}
        pointSize={8}
        lineWidth={3}
        enableGridY={false}
        useMesh
        markers={[{ axis: "x", value: 0, lineStyle: { stroke: "#868e96", strokeDasharray: "4 4", strokeWidth: 1 } }]}
        role="img"
      />
    </div>
  );
}

const end = (v: number | null, f: (x: number) => string, open: string) => (v === null ? open : f(v));
// a relative interval never shows a lower end below −100% (app/lib/lift.ts); an absolute one shows its figures
const interval = (f: ScaleFigures, format: (x: number) => string, relative = false) =>
  f.ci === null
    ? "–"
    : `${relative ? liftLower(f.ci[0], format) : end(f.ci[0], format, "-∞")} to ${end(f.ci[1], format, "+∞")}`;

/** One metric's comparisons with the engine's figures; a figure that cannot be computed shows its reason. */
function ComparisonTable({
  title,
  comparisons,
  format,
  bayesian,
}: {
  title: string;
  comparisons: EngineComparison[];
  format: (x: number) => string;
  bayesian: boolean;
}) {
  const rel = (x: number) => signedPercent(x, 2);
  return (
    <Table fz="sm" striped>
      <TableHead
        columns={[
          title,
          "Absolute lift",
          bayesian ? "Credible interval" : "CI",
          "Relative lift",
          bayesian ? "Credible interval" : "CI",
          bayesian ? "Chance to win" : "p (relative lift)",
          ...(bayesian ? ["Risk if shipped"] : []),
        ]}
      />
      <Table.Tbody>
        {comparisons.map((c) => (
          <Table.Tr key={c.arm}>
            <Table.Td>{c.arm}</Table.Td>
            {c.relative.reason && c.absolute.reason ? (
              <Table.Td colSpan={bayesian ? 6 : 5}>
                <Text size="sm" c="dimmed">
                  not measurable: {c.relative.reason}
                </Text>
              </Table.Td>
            ) : (
              <>
                <Table.Td>{c.absolute.estimate === null ? "–" : format(c.absolute.estimate)}</Table.Td>
                <Table.Td>{interval(c.absolute, format)}</Table.Td>
                <Table.Td>{c.relative.estimate === null ? "–" : rel(c.relative.estimate)}</Table.Td>
                <Table.Td>
                  {c.relative.reason ? (
                    <Text size="xs" c="dimmed">
                      {c.relative.reason}
                    </Text>
                  ) : (
                    interval(c.relative, rel, true)
                  )}
                </Table.Td>
                <Table.Td>
                  {bayesian
                    ? c.relative.chanceToWin == null
                      ? "–"
                      : percent(c.relative.chanceToWin, 1)
                    : c.relative.pValue == null
                      ? "–"
                      : significant(c.relative.pValue, 3)}
                </Table.Td>
                {bayesian && <Table.Td>{c.relative.risk == null ? "–" : percent(c.relative.risk[1], 2)}</Table.Td>}
              </>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The decision rules of the chosen engine, as a table (also in the README). */
function DecisionRules({ engine }: { engine: ResultsAnalysis["engine"]["name"] }) {
  return (
    <Table fz="xs" data-testid="decision-rules">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Outcome</Table.Th>
          <Table.Th>Rule ({engine === "fixed" ? "fixed-horizon" : engine})</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {DECISION_RULES.map((r) => (
          <Table.Tr key={r.outcome}>
            <Table.Td>{r.outcome}</Table.Td>
            <Table.Td>{r[engine]}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ResultsView({ analysis, alpha }: { analysis: ResultsAnalysis; alpha: number }) {
  const d = analysis.decision;
  const colour = VERDICT_COLOURS[d.verdict];
  const points = (x: number) => `${(x * 100).toFixed(3)} pts`;
  const formats: Record<MetricKey, (x: number) => string> = {
    conversion: points,
    revenue: amount,
    aov: amount,
    refundRate: points,
  };
  const keys = Object.keys(METRIC_NAMES) as MetricKey[];
  const chartRows = keys.flatMap((m) =>
    (analysis.engineMetrics[m].comparisons ?? []).map((c) => ({ label: `${c.arm} · ${METRIC_NAMES[m]}`, c })),
  );
  const bayesian = analysis.engine.name === "bayesian";
  const intervalName = bayesian ? "credible" : analysis.engine.name === "sequential" ? "always-valid" : "confidence";
  return (
    <Stack gap="md" data-testid="results">
      {analysis.srm.flagged && (
        <Alert color="red" title="Sample ratio mismatch" data-testid="srm-banner">
          The arm sizes ({analysis.arms.map((a) => int(a.users)).join(" / ")}) do not match the planned allocation (χ²{" "}
          {analysis.srm.chi2.toFixed(2)}, p {analysis.srm.pValue.toExponential(2)} &lt; 0.001). The assignment or the
          tracking is broken: do not trust these results.
        </Alert>
      )}
      <Card
        withBorder
        style={{ borderColor: `var(--mantine-color-${colour}-6)`, borderWidth: 2 }}
        data-testid="decision"
      >
        <Group justify="space-between">
          <Title order={3} c={`${colour}.8`}>
            {VERDICT_TITLES[d.verdict]}
            {d.arm ? `: ${d.arm}` : ""}
          </Title>
          {d.extraPerArm !== null && (
            <Badge size="lg" color="yellow" data-testid="still-needed">
              {int(d.extraPerArm)} more customers per arm
            </Badge>
          )}
          {d.daysLeft !== null && (
            <Badge size="lg" color="yellow" data-testid="still-needed">
              {int(d.daysLeft)} more day{d.daysLeft === 1 ? "" : "s"} to observe
            </Badge>
          )}
          {d.verdict === "cannot-decide" && d.smallestDetectable !== null && (
            <Badge size="lg" color="gray" data-testid="smallest-detectable">
              whole audience detects {percent(d.smallestDetectable, 1)} or more
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed" data-testid="engine-label">
          {analysis.engine.label}
          {analysis.engine.tuning !== null ? `, N* ${int(analysis.engine.tuning)}` : ""}
          {bayesian
            ? analysis.engine.prior
              ? `, prior N(${percent(analysis.engine.prior.mean, 0)}, ${percent(analysis.engine.prior.sd, 0)}²) on the lift`
              : ", flat prior"
            : ""}
          {analysis.engine.interim ? " — interim reading" : ""}
        </Text>
        <Stack gap={4} mt="xs" data-testid="headline">
          {d.headline.map((h) => (
            <Text key={h} fw={500}>
              {h}
            </Text>
          ))}
        </Stack>
        <Stack gap={2} mt="xs">
          {d.reasons.map((r) => (
            <Text key={r} size="sm">
              • {r}
            </Text>
          ))}
        </Stack>
        <details style={{ marginTop: 8 }}>
          <summary style={{ cursor: "pointer", fontSize: 13 }}>How this decision is made</summary>
          <DecisionRules engine={analysis.engine.name} />
        </details>
      </Card>
      <Section title="Per arm" order={5}>
        <Table fz="sm" striped data-testid="arms-table">
          <TableHead columns={["Arm", "Users", "Conversion", "Revenue per customer", "AOV", "Refund rate"]} />
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
      </Section>
      <Section
        title={
          <>
            Lifts against control ({percent(1 - alpha, 0)} {intervalName} intervals)
          </>
        }
        order={5}
      >
        <IntervalChart
          rows={chartRows}
          label={`relative lift (%) with its ${intervalName} interval; cut at ±${AXIS_CAP}%, the tables give every bound`}
        />
        <Stack gap="sm" mt="sm">
          {keys.map((m) => {
            const em = analysis.engineMetrics[m];
            return em.comparisons ? (
              <ComparisonTable
                key={m}
                title={METRIC_NAMES[m]}
                comparisons={em.comparisons}
                format={formats[m]}
                bayesian={bayesian}
              />
            ) : (
              <Text key={m} size="xs" c="dimmed">
                {METRIC_NAMES[m]}: not measurable — {em.reason}.
              </Text>
            );
          })}
        </Stack>
        {analysis.primary.comparisons.length > 1 && analysis.engine.name === "fixed" && (
          <Text size="xs" c="dimmed" mt="xs">
            Primary metric p-values (relative lift) adjusted by{" "}
            {analysis.primary.correction === "holm" ? "Holm" : "Benjamini–Hochberg"}:{" "}
            {analysis.primary.comparisons
              .map((c) => `${c.arm} ${c.adjustedP === null ? "–" : significant(c.adjustedP, 3)}`)
              .join(", ")}
            ; guardrails are not adjusted.
          </Text>
        )}
      </Section>
      {/* side by side only from xl: at 1280 px the six-column guardrail table ran its verdict badge past the card */}
      <SimpleGrid cols={{ base: 1, xl: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            Guardrails (one-sided non-inferiority at α {alpha}
            {analysis.engine.name === "sequential" ? ", always valid" : ""})
          </Title>
          {analysis.guardrails.length === 0 ? (
            <Text size="sm" c="dimmed">
              The design has no guardrail.
            </Text>
          ) : (
            <Table fz="sm" horizontalSpacing="xs" data-testid="guardrails">
              <TableHead columns={["Arm", "Guardrail", "Change", "Bound", "Margin", "Verdict"]} />
              <Table.Tbody>
                {analysis.guardrails.map((g) => (
                  <Table.Tr key={`${g.arm}-${g.metric}`} data-testid={`guardrail-${g.metric}`}>
                    <Table.Td>{g.arm}</Table.Td>
                    <Table.Td>{g.metric === "refund_rate" ? "Refund rate" : "AOV"}</Table.Td>
                    {g.verdict === "not-measurable" ? (
                      <Table.Td colSpan={3}>
                        <Text size="xs" c="dimmed">
                          {g.reason}
                        </Text>
                      </Table.Td>
                    ) : (
                      <>
                        <Table.Td>{signedPercent(g.estimate, 2)}</Table.Td>
                        <Table.Td>{signedPercent(g.bound, 2)}</Table.Td>
                        <Table.Td>
                          {g.metric === "refund_rate" ? "+" : "-"}
                          {percent(g.margin, 1)}
                        </Table.Td>
                      </>
                    )}
                    <Table.Td>
                      <Badge
                        color={
                          g.verdict === "pass"
                            ? "teal"
                            : g.verdict === "fail"
                              ? "red"
                              : g.verdict === "not-measurable"
                                ? "gray"
                                : "yellow"
                        }
                      >
                        {g.verdict === "inconclusive"
                          ? "not yet conclusive"
                          : g.verdict === "not-measurable"
                            ? "not measurable"
                            : g.verdict}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Section title="CUPED (pre-period spend as covariate)" order={5} testId="cuped">
          {analysis.cuped ? (
            <Stack gap="xs">
              <Text size="sm">
                θ = {significant(analysis.cuped.theta, 3)} · variance reduction{" "}
                <b>{percent(analysis.cuped.varianceReduction, 1)}</b>
              </Text>
              {!analysis.cuped.covariateVaries && (
                <Text size="sm" c="dimmed" data-testid="cuped-no-covariate">
                  The pre-period spend is the same for every customer of each arm (usually nobody bought in the W days
                  up to T), so CUPED has nothing to adjust by: its lifts are the unadjusted ones.
                </Text>
              )}
              <Table fz="sm">
                <TableHead columns={["Arm", "Unadjusted lift", "CI", "CUPED lift", "CI"]} />
                <Table.Tbody>
                  {analysis.cuped.adjusted.map((c, i) => {
                    const u = analysis.cuped!.unadjusted[i];
                    const f = analysis.primary.metric === "conversion" ? points : amount;
                    return (
                      <Table.Tr key={c.arm}>
                        <Table.Td>{c.arm}</Table.Td>
                        <Table.Td>{f(u.absolute.estimate)}</Table.Td>
                        <Table.Td>
                          {f(u.absolute.ci[0])} to {f(u.absolute.ci[1])}
                        </Table.Td>
                        <Table.Td>{f(c.absolute.estimate)}</Table.Td>
                        <Table.Td>
                          {f(c.absolute.ci[0])} to {f(c.absolute.ci[1])}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              Needs per-customer results (an upload or a simulation) and a conversion or revenue primary metric.
            </Text>
          )}
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
