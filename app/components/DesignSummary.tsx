import { SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { METRIC_LABELS, type Design } from "~/experiments/design";
import type { DesignPreview } from "~/experiments/experiments.server";
import { PreviewPanel } from "./ExperimentEditor";
import { amount, int, percent } from "./format";
import { Section } from "./Section";

type Props = {
  design: Design;
  preview: DesignPreview | null;
  assigned: number[];
  startDate: string | null;
  audienceLabel: string | null;
  /** completed or archived: no planning alerts */
  closed: boolean;
};

/** A started experiment's frozen design, read-only (never the form): what was planned, on whom, and the sizes. */
export function DesignSummary({ design: d, preview, assigned, startDate, audienceLabel, closed }: Props) {
  const mde = d.stats.relative
    ? `${percent(d.stats.mde, 1)} relative`
    : d.primaryMetric === "conversion"
      ? `${(d.stats.mde * 100).toFixed(2)} pts`
      : amount(d.stats.mde);
  const typed = Object.entries(d.baselines);
  const rows: [string, string][] = [
    ["Campaign type", d.campaignType],
    ["Hypothesis", d.hypothesis || "–"],
    ["Audience", audienceLabel ?? "(deleted)"],
    ["Start day S", startDate ?? "–"],
    ["Primary metric", METRIC_LABELS[d.primaryMetric].replace("W", String(d.windowDays))],
    ["Window W", `${d.windowDays} days`],
    ["Back-test day T", d.referenceDate ?? "last day − W"],
    [
      "Guardrails",
      d.guardrails.length
        ? d.guardrails
            .map(
              (g) =>
                `${g.metric === "aov" ? "AOV may not fall" : "refund rate may not rise"} more than ${percent(g.margin, 1)}`,
            )
            .join("; ")
        : "none",
    ],
    [
      "Test",
      `α ${d.stats.alpha}, power ${percent(d.stats.power, 0)}, ${d.stats.sides === 2 ? "two" : "one"}-sided, method ${d.stats.method}`,
    ],
    ["MDE", mde],
    ["Typed baselines", typed.length ? typed.map(([k, v]) => `${k} ${v}`).join(", ") : "none (all from history)"],
  ];
  return (
    <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
      <Stack gap="md" data-testid="design-summary">
        <Section title="Design (frozen at the start)" order={5}>
          <Table fz="sm">
            <Table.Tbody>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Td w={180}>
                    <Text size="sm" fw={600}>
                      {label}
                    </Text>
                  </Table.Td>
                  <Table.Td>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Section>
        <Section title="Arms" order={5}>
          <Table fz="sm" data-testid="arms-summary">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Arm</Table.Th>
                <Table.Th ta="right">Share</Table.Th>
                <Table.Th ta="right">Assigned</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.arms.map((a, i) => (
                <Table.Tr key={a.name}>
                  <Table.Td>
                    {a.name}
                    {i === 0 ? " (control)" : ""}
                  </Table.Td>
                  <Table.Td ta="right">{percent(a.share, 1)}</Table.Td>
                  <Table.Td ta="right">{int(assigned[i] ?? 0)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Section>
      </Stack>
      <PreviewPanel
        preview={preview}
        metric={d.primaryMetric}
        loading={false}
        arms={d.arms.map((a) => a.name)}
        closed={closed}
      />
    </SimpleGrid>
  );
}
