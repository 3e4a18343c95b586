import {
  Alert,
  Badge,
  Button,
  Group,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { DATE_FORMATS, type DateFormat } from "~/ingest/dates";
import { FIELDS, type ColumnMap, type Field } from "~/ingest/formats";
import type { UploadPreview } from "~/ingest/preview.server";
import { TableHead } from "~/components/TableHead";

export const LABELS: Record<Field, string> = {
  customer: "Customer id *",
  invoice: "Invoice / order",
  date: "Date *",
  quantity: "Quantity",
  price: "Unit price",
  amount: "Amount (line total)",
  product: "Product / stock code",
  description: "Description",
  country: "Country",
};

// First guesses from common header names; the user confirms or changes them.
const GUESSES: Record<Field, RegExp> = {
  customer: /cust|client|user|member/i,
  invoice: /invoice|order|receipt|transaction/i,
  date: /date|time|day/i,
  quantity: /qty|quantity|units|cds|items/i,
  price: /price/i,
  amount: /amount|total|dollars|revenue|value|spend|sales/i,
  product: /stock|sku|product|article/i,
  description: /desc|title|name/i,
  country: /country|market/i,
};

export function guess(header: string[]): ColumnMap {
  const map: ColumnMap = {};
  const used = new Set<string>();
  for (const field of FIELDS) {
    const column = header.find((h) => !used.has(h) && GUESSES[field].test(h));
    if (column) {
      map[field] = column;
      used.add(column);
    }
  }
  if (map.amount && map.price) delete map.amount;
  return map;
}

const money = (milli: number | null) =>
  milli === null ? "" : (milli / 1000).toLocaleString("en-GB", { maximumFractionDigits: 3 });
const OUTCOME_COLOURS = {
  sale: "teal",
  return: "orange",
  duplicate: "gray",
  invalid: "yellow",
  rejected: "red",
} as const;

type Props = {
  upload: { id: string; fileName: string };
  initial: UploadPreview;
  /** currency: an ISO 4217 code, or undefined for plain numbers (issue 14). */
  onImport: (map: ColumnMap, dateFormat?: DateFormat, currency?: string) => void;
  onCancel: () => void;
};

/** The column-mapping form for a CSV whose header is not a known layout, with its first lines as they will be read. */
export function MappingForm({ upload, initial, onImport, onCancel }: Props) {
  const [map, setMap] = useState<ColumnMap>(() => (initial.format ? {} : guess(initial.header)));
  const [dateFormat, setDateFormat] = useState<DateFormat | "">("");
  const [currency, setCurrency] = useState("");
  const currencyError =
    currency.trim() !== "" && !/^[A-Za-z]{3}$/.test(currency.trim())
      ? "Three letters, an ISO 4217 code such as EUR or USD"
      : null;
  const [preview, setPreview] = useState<UploadPreview>(initial);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const query = new URLSearchParams(Object.entries(map).filter(([, v]) => v) as [string, string][]);
    if (dateFormat) query.set("dateFormat", dateFormat);
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/uploads/${upload.id}?${query}`, { signal: controller.signal });
        const body = await res.json();
        if (!res.ok) setError(body.error);
        else {
          setError(null);
          setPreview(body.preview);
        }
      } catch (err) {
        if ((err as Error).name !== "AbortError") setError((err as Error).message);
      }
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [map, dateFormat, upload.id]);

  const options = preview.header.map((h) => ({ value: h, label: h }));
  const ready = !preview.problem && !error && !currencyError;
  return (
    <Stack data-testid="mapping-form">
      <Title order={4}>Map the columns of {upload.fileName}</Title>
      <Text size="sm" c="dimmed">
        Customer, date, and either an amount or a quantity with a unit price are required. Without an invoice column, a
        customer's lines with the same timestamp form one order, and equal lines are kept.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {FIELDS.map((field) => (
          <Select
            key={field}
            label={LABELS[field]}
            data={options}
            value={map[field] ?? null}
            clearable
            placeholder="—"
            onChange={(value) => setMap((m) => ({ ...m, [field]: value ?? undefined }))}
            aria-label={`Column for ${field}`}
          />
        ))}
        <Select
          label="Date format"
          data={[
            { value: "", label: `Detect${preview.dateFormat ? ` (${preview.dateFormat})` : ""}` },
            ...DATE_FORMATS.map((f) => ({ value: f, label: f })),
          ]}
          value={dateFormat}
          onChange={(v) => setDateFormat((v ?? "") as DateFormat | "")}
          allowDeselect={false}
        />
        <TextInput
          label="Currency of the amounts"
          description="ISO code (EUR, USD…); empty: plain numbers"
          placeholder="e.g. EUR"
          value={currency}
          onChange={(e) => setCurrency(e.currentTarget.value)}
          error={currencyError}
          maxLength={3}
          data-testid="mapping-currency"
        />
      </SimpleGrid>
      {(preview.problem || error) && (
        <Alert color="orange" data-testid="mapping-problem">
          {error ?? preview.problem}
        </Alert>
      )}
      {preview.lines.length > 0 && (
        <Stack gap={4}>
          <Text fw={600} size="sm">
            The first lines as they will be read
          </Text>
          <ScrollArea>
            <Table striped withTableBorder fz="xs" data-testid="mapping-preview">
              <TableHead
                columns={[
                  "Line",
                  "Outcome",
                  "Customer",
                  "Invoice",
                  "Date",
                  "Quantity",
                  "Price",
                  "Amount",
                  "Product",
                  "Description",
                  "Country",
                ]}
              />
              <Table.Tbody>
                {preview.lines.map((l) => (
                  <Table.Tr key={l.line}>
                    <Table.Td>{l.line}</Table.Td>
                    <Table.Td>
                      <Badge size="xs" color={OUTCOME_COLOURS[l.outcome]}>
                        {l.outcome}
                      </Badge>
                      {l.reason && <Text size="xs">{l.reason}</Text>}
                    </Table.Td>
                    <Table.Td>{l.values?.customer ?? ""}</Table.Td>
                    <Table.Td>{l.values?.invoice ?? ""}</Table.Td>
                    <Table.Td>{l.values?.date.replace("T", " ") ?? ""}</Table.Td>
                    <Table.Td>{l.values?.quantity ?? ""}</Table.Td>
                    <Table.Td>{money(l.values?.price ?? null)}</Table.Td>
                    <Table.Td>{l.values ? money(l.values.amount) : ""}</Table.Td>
                    <Table.Td>{l.values?.product ?? ""}</Table.Td>
                    <Table.Td>{l.values?.description ?? ""}</Table.Td>
                    <Table.Td>{l.values?.country ?? ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Stack>
      )}
      <Group>
        <Button
          disabled={!ready}
          onClick={() => onImport(map, dateFormat || undefined, currency.trim().toUpperCase() || undefined)}
        >
          Import with this mapping
        </Button>
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
