import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { ImportReport } from "~/ingest/report";
import { FORMAT_LABELS } from "~/ingest/formats";
import { formatMoney } from "~/lib/currency";
import { Stat } from "./Stat";

const n = (x: number) => x.toLocaleString("en-GB");

/** Every count of the cleaning policy (PRODUCT.md §1), as stored with the data set. */
/** currency: the data set's (issue 14); the CLI's import JSON carries it beside the report. */
export function ImportReportView({
  report,
  datasetId,
  currency,
}: {
  report: ImportReport & { currency?: string | null };
  datasetId?: number;
  currency?: string | null;
}) {
  const money = (x: number) => formatMoney(x, currency === undefined ? report.currency : currency);
  const reasons = Object.entries(report.invalidReasons);
  return (
    <Stack gap="md" data-testid="import-report">
      <Group gap="xs">
        <Badge variant="light">{FORMAT_LABELS[report.format]}</Badge>
        <Badge variant="light" color="grape">
          encoding {report.encoding}
        </Badge>
        <Badge variant="light" color="teal">
          dates {report.dateFormat}
        </Badge>
        {report.dateRange && (
          <Badge variant="light" color="gray">
            {report.dateRange[0].slice(0, 10)} – {report.dateRange[1].slice(0, 10)}
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Lines read" value={n(report.linesRead)} />
        <Stat label="Rejected" value={n(report.rejectedLines)} hint="could not be read" />
        <Stat label="Duplicates dropped" value={n(report.duplicateLines)} hint="exact duplicate lines" />
        <Stat
          label="Cancellations"
          value={n(report.cancellationLines)}
          hint={`${n(report.cancellationInvoices)} invoices, ${money(report.cancelledValue)}`}
        />
        <Stat label="Invalid" value={n(report.invalidLines)} hint="zero price, stock adjustments, bad debt" />
        <Stat label="Sales lines" value={n(report.salesLines)} hint={`${n(report.invoices)} invoices`} />
        <Stat label="Sales revenue" value={money(report.salesRevenue)} />
        <Stat
          label="Without customer id"
          value={n(report.salesLinesWithoutCustomer)}
          hint="in revenue, not in customer figures"
        />
        <Stat
          label="Customer sales lines"
          value={n(report.customerSalesLines)}
          hint={`${n(report.customerInvoices)} invoices`}
        />
        <Stat label="Customers" value={n(report.customers)} />
        <Stat label="Customer revenue" value={money(report.customerRevenue)} />
        <Stat
          label="Countries · products"
          value={`${n(report.countries)} · ${n(report.products)}`}
          hint={`${n(report.nonMerchandiseLines)} non-merchandise lines`}
        />
      </SimpleGrid>
      {reasons.length > 0 && (
        <Text size="sm">Invalid lines by reason: {reasons.map(([k, v]) => `${k} ${n(v)}`).join(" · ")}</Text>
      )}
      <Text size="sm" c="dimmed">
        Imported {report.importedAt.slice(0, 16).replace("T", " ")} UTC from {report.fileName} ({n(report.bytes)} bytes)
        in {report.seconds.total.toFixed(1)} s.
      </Text>
      {report.rejectedExamples.length > 0 && (
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={5}>
              Rejected lines
              {report.rejectedLines > report.rejectedExamples.length
                ? ` (first ${report.rejectedExamples.length} of ${n(report.rejectedLines)})`
                : ""}
            </Title>
            {datasetId !== undefined && (
              <Anchor size="sm" href={`/api/datasets/${datasetId}/rejected.csv`}>
                Download CSV
              </Anchor>
            )}
          </Group>
          <Table striped withTableBorder fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Text</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.rejectedExamples.slice(0, 20).map((e) => (
                <Table.Tr key={e.line}>
                  <Table.Td>{e.line}</Table.Td>
                  <Table.Td>{e.reason}</Table.Td>
                  <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                    {e.text}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
