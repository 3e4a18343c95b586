import {
  Alert,
  Anchor,
  Button,
  Card,
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
import { Link, useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { FIELDS, type ColumnMap, type Field } from "~/ingest/formats";
import type { ImportReport } from "~/ingest/report";
import type { WarehousePreview } from "~/ingest/warehouse-connect.server";
import { ImportReportView } from "./ImportReportView";
import { LABELS, guess } from "./MappingForm";

type Added = ImportReport & { id: number; url: string; currency?: string | null };

async function post<T>(path: string, body: unknown): Promise<{ ok: true; data: T } | { ok: false; error: string }> {
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await res.json();
    return res.ok ? { ok: true, data: data as T } : { ok: false, error: data.error ?? `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * "Connect a warehouse" (issue 17): a PostgreSQL table or view of transaction lines, mapped as a CSV's columns are;
 * the preview reads its first rows, the connection computes the cleaning report in the warehouse. The URL typed here
 * is sent once and never shown again (the server answers it masked).
 */
export function WarehousePanel() {
  const [url, setUrl] = useState("");
  const [orders, setOrders] = useState("");
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("");
  const [schema, setSchema] = useState("");
  const [map, setMap] = useState<ColumnMap>({});
  const [preview, setPreview] = useState<WarehousePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"preview" | "connect" | null>(null);
  const [added, setAdded] = useState<Added | null>(null);
  const revalidator = useRevalidator();
  const mapping = () => Object.fromEntries(Object.entries(map).filter(([, c]) => c)) as ColumnMap;

  async function runPreview(withMap: ColumnMap | undefined) {
    setBusy("preview");
    setError(null);
    const r = await post<WarehousePreview>("/api/warehouse/preview", { url, orders, map: withMap });
    setBusy(null);
    if (!r.ok) return setError(r.error);
    setPreview(r.data);
    // a table named like Online Retail maps itself; otherwise first guesses from the column names
    if (!withMap) setMap(Object.keys(r.data.map).length ? r.data.map : guess(r.data.columns));
  }

  async function connect() {
    setBusy("connect");
    setError(null);
    const r = await post<Added>("/api/warehouse", {
      url,
      orders,
      map: mapping(),
      ...(name.trim() ? { name } : {}),
      ...(currency.trim() ? { currency } : {}),
      ...(schema.trim() ? { assignmentsSchema: schema } : {}),
    });
    setBusy(null);
    if (!r.ok) return setError(r.error);
    setAdded(r.data);
    setUrl("");
    revalidator.revalidate();
  }

  const options = (preview?.columns ?? []).map((c) => ({ value: c, label: c }));
  return (
    <Card withBorder padding="lg" data-testid="warehouse-panel">
      <Stack>
        <div>
          <Title order={4}>Connect a warehouse</Title>
          <Text size="sm" c="dimmed">
            A PostgreSQL table or view of transaction lines, in any layout: its figures are computed by SQL in your
            database and only aggregates come back. Only SELECT is sent to your tables.
          </Text>
        </div>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="PostgreSQL URL"
            description="postgresql://user:password@host:5432/db or postgresql:///db?host=/socket/dir"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            data-testid="warehouse-url"
          />
          <TextInput
            label="Table of transaction lines"
            description="schema.table (a view works too)"
            value={orders}
            onChange={(e) => setOrders(e.currentTarget.value)}
            data-testid="warehouse-table"
          />
        </SimpleGrid>
        <Group>
          <Button
            variant="light"
            onClick={() => runPreview(preview ? mapping() : undefined)}
            loading={busy === "preview"}
            disabled={!url.trim() || !orders.trim()}
            data-testid="warehouse-preview"
          >
            {preview ? "Preview again with this mapping" : "Check the connection and preview"}
          </Button>
        </Group>
        {error && (
          <Alert color="red" data-testid="warehouse-error">
            {error}
          </Alert>
        )}
        {preview && (
          <Stack data-testid="warehouse-mapping">
            <Text size="sm">
              Connected to {preview.maskedUrl} (PostgreSQL {preview.serverVersion}); {preview.table} has{" "}
              {preview.columns.length} columns. Customer, date, and either an amount or a quantity with a unit price are
              required.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {FIELDS.map((field: Field) => (
                <Select
                  key={field}
                  label={LABELS[field]}
                  data={options}
                  value={map[field] ?? null}
                  clearable
                  placeholder="—"
                  onChange={(value) => setMap((m) => ({ ...m, [field]: value ?? undefined }))}
                  aria-label={`Warehouse column for ${field}`}
                />
              ))}
              <TextInput
                label="Data set name"
                placeholder={orders}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <TextInput
                label="Currency of the amounts"
                description="ISO code (EUR, USD…); empty: plain numbers"
                value={currency}
                onChange={(e) => setCurrency(e.currentTarget.value)}
                maxLength={3}
              />
              <TextInput
                label="Write assignments to schema (optional)"
                description="campaign_lab_assignments in this schema of your warehouse"
                value={schema}
                onChange={(e) => setSchema(e.currentTarget.value)}
              />
            </SimpleGrid>
            {preview.problem && <Alert color="orange">{preview.problem}</Alert>}
            {preview.rows.length > 0 && (
              <ScrollArea>
                <Table striped withTableBorder fz="xs" data-testid="warehouse-rows">
                  <Table.Thead>
                    <Table.Tr>
                      {Object.keys(preview.rows[0]).map((f) => (
                        <Table.Th key={f}>{f}</Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {preview.rows.map((r, i) => (
                      <Table.Tr key={i}>
                        {Object.keys(preview.rows[0]).map((f) => (
                          <Table.Td key={f}>{r[f] ?? ""}</Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            )}
            <Group>
              <Button
                onClick={connect}
                loading={busy === "connect"}
                disabled={!url.trim()}
                data-testid="warehouse-connect"
              >
                Connect
              </Button>
            </Group>
          </Stack>
        )}
        {added && (
          <Stack data-testid="warehouse-added">
            <Alert color="teal">
              Connected {added.fileName} as data set “{added.dataset}” ({added.url}); it is now the active data set.{" "}
              <Anchor component={Link} to="/overview">
                Open the overview
              </Anchor>
            </Alert>
            <ImportReportView report={added} datasetId={added.id} currency={added.currency ?? null} />
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
