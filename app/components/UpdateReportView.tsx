import { Group, SimpleGrid, Stack, Text } from "@mantine/core";
import type { UpdateReport } from "~/ingest/report";
import { formatMoney } from "~/lib/currency";
import { Stat } from "./Stat";
import { amount } from "./format";

const n = (x: number) => x.toLocaleString("en-GB");

/** What an update added and what it found already stored (issue 13), with the new period's cleaning counts. */
/** currency: the updated data set's (issue 14); without it, the active data set's. */
export function UpdateReportView({ report, currency }: { report: UpdateReport; currency?: string | null }) {
  const money = (x: number) => (currency === undefined ? amount(x) : formatMoney(x, currency));
  const r = report.clean;
  const o = report.overlap;
  return (
    <Stack gap="sm" data-testid="update-report">
      <Text size="sm">
        Stored through {report.storedThrough?.slice(0, 16).replace("T", " ") ?? "nothing"}; lines dated after it are
        added, lines on or before it are overlap (never added).
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat
          label="Lines added"
          value={n(report.added)}
          hint={r.dateRange ? `${r.dateRange[0].slice(0, 10)} – ${r.dateRange[1].slice(0, 10)}` : "no newer line"}
        />
        <Stat label="Overlap" value={n(o.lines)} hint={`${n(o.dropped)} dropped by the cleaning rules`} />
        <Stat
          label="Overlap matched"
          value={o.checked ? n(o.matched ?? 0) : "not checked"}
          hint={o.checked ? "found among the stored lines" : "the file has no invoice column"}
        />
        <Stat
          label="Overlap not found"
          value={o.checked ? n(o.notFound ?? 0) : "–"}
          hint="dated before the update but not stored"
        />
        <Stat
          label="New-period lines"
          value={n(r.linesRead)}
          hint={`rejected ${n(r.rejectedLines)}, duplicates ${n(r.duplicateLines)}, invalid ${n(r.invalidLines)}`}
        />
        <Stat label="Cancellations" value={n(r.cancellationLines)} hint={money(r.cancelledValue)} />
        <Stat label="Sales lines" value={n(r.salesLines)} hint={`revenue ${money(r.salesRevenue)}`} />
        <Stat label="New customers" value={n(report.newCustomers)} />
      </SimpleGrid>
      <Group gap="md">
        {r.until && (
          <Text size="sm">
            Kept up to {r.until}: {n(r.linesAfterUntil ?? 0)} later lines left out.
          </Text>
        )}
        {report.remeasured.length > 0 && (
          <Text size="sm">
            Measured again: experiment{report.remeasured.length > 1 ? "s" : ""}{" "}
            {report.remeasured.map((id) => `#${id}`).join(", ")}.
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        From {r.fileName} ({n(r.bytes)} bytes) at {r.importedAt.slice(0, 16).replace("T", " ")} UTC in{" "}
        {r.seconds.total.toFixed(1)} s.
      </Text>
    </Stack>
  );
}
