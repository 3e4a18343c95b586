import { Card, Text, type MantineSize } from "@mantine/core";
import type { ReactNode } from "react";

type Figure = { label: ReactNode; value: ReactNode; hint?: ReactNode; testId?: string };

// The lines of one figure: an upper-case label, the value (its test id on it) and an optional hint.
function Lines({ label, value, hint, testId, size, weight }: Figure & { size: MantineSize; weight: number }) {
  return (
    <>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size={size} fw={weight} data-testid={testId}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </>
  );
}

/** One figure of a report card (import and update reports); `strong`: larger and bolder (the sample size). */
export function Stat({ strong, ...figure }: Figure & { strong?: boolean }) {
  return (
    <div>
      <Lines {...figure} size={strong ? "xl" : "lg"} weight={strong ? 700 : 600} />
    </div>
  );
}

/** A figure in a card of its own (KPIs, ROI, power results); `children` follow it (the KPIs' change). */
export function StatCard({
  padding = "sm",
  size = "xl",
  children,
  ...figure
}: Figure & { padding?: MantineSize; size?: MantineSize; children?: ReactNode }) {
  return (
    <Card withBorder padding={padding}>
      <Lines {...figure} size={size} weight={700} />
      {children}
    </Card>
  );
}
