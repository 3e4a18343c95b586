import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Collapse,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { json, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Fragment, useState } from "react";
import { getDb } from "~/db/db.server";
import {
  datasetHistory,
  deleteDataset,
  getDataset,
  listDatasets,
  setActiveDatasetId,
  setDatasetCurrency,
} from "~/db/datasets.server";
import { formatMoney } from "~/lib/currency";
import { warehouseInfo } from "~/db/warehouse-sources.server";
import { FORMAT_LABELS } from "~/ingest/formats";
import { datasetActionSchema } from "~/ingest/schemas";
import { describeIssues } from "~/lib/validation";
import { DeleteForm } from "~/components/DeleteForm";
import { followJob, JobProgress, useJobFollowing } from "~/components/JobProgress";
import type { ImportJob } from "~/ingest/jobs.server";
import { ImportReportView } from "~/components/ImportReportView";
import { UploadPanel } from "~/components/UploadPanel";
import { WarehousePanel } from "~/components/WarehousePanel";
import { UpdateReportView } from "~/components/UpdateReportView";
import type { ImportReport } from "~/ingest/report";

export const meta: MetaFunction = () => [{ title: "Data · Campaign Lab" }];

export async function loader() {
  const db = getDb();
  return json({
    datasets: listDatasets(db).map((d) => ({
      ...d,
      history: datasetHistory(db, d.id),
      // issue 17: where a warehouse data set is read from, its password masked
      warehouse: warehouseInfo(db, d.id),
    })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = datasetActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ error: describeIssues(parsed.error), done: null }, { status: 400 });
  const db = getDb();
  const dataset = getDataset(db, parsed.data.id);
  if (!dataset) return json({ error: "That data set no longer exists", done: null }, { status: 404 });
  if (parsed.data.intent === "currency") {
    setDatasetCurrency(db, dataset.id, parsed.data.currency);
    return json({
      error: null,
      done: parsed.data.currency
        ? `"${dataset.name}" amounts are now in ${parsed.data.currency}`
        : `"${dataset.name}" amounts are now plain numbers`,
    });
  }
  if (parsed.data.intent === "activate") {
    setActiveDatasetId(db, dataset.id);
    return json({ error: null, done: `"${dataset.name}" is now the active data set` });
  }
  deleteDataset(db, dataset.id);
  return json({ error: null, done: `Deleted "${dataset.name}"` });
}

const n = (x: number) => x.toLocaleString("en-GB");

export default function DataPage() {
  const { datasets } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [open, setOpen] = useState<number | null>(null);
  const [confirm, setConfirm] = useState<{ id: number; name: string } | null>(null);
  const [updating, setUpdating] = useState<{ id: number; name: string } | null>(null);
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Data</Title>
        <Text c="dimmed">Import a year of transactions; every page works on the active data set.</Text>
      </div>
      <UploadPanel />
      <WarehousePanel />
      {result?.error && <Alert color="red">{result.error}</Alert>}
      {result?.done && <Alert color="teal">{result.done}</Alert>}
      <Card withBorder padding="lg">
        <Group justify="space-between" mb="sm">
          <Title order={4}>Data sets</Title>
          {datasets.length > 0 && (
            <Anchor size="sm" href="/api/datasets.csv">
              Download CSV
            </Anchor>
          )}
        </Group>
        {datasets.length === 0 ? (
          <Text c="dimmed">No data set yet: drop a CSV file above.</Text>
        ) : (
          <Table striped highlightOnHover data-testid="datasets">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th ta="right">Lines</Table.Th>
                <Table.Th ta="right">Customers</Table.Th>
                <Table.Th ta="right">Revenue</Table.Th>
                <Table.Th>Dates</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {datasets.map((d) => (
                <DatasetRow
                  key={d.id}
                  d={d}
                  open={open === d.id}
                  onToggle={() => setOpen(open === d.id ? null : d.id)}
                  onDelete={() => setConfirm({ id: d.id, name: d.name })}
                  onUpdate={() => setUpdating({ id: d.id, name: d.name })}
                  busy={navigation.state !== "idle"}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <Modal opened={updating !== null} onClose={() => setUpdating(null)} title="Add newer transactions" size="xl">
        {updating && <UploadPanel update={updating} />}
      </Modal>
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title="Delete this data set?">
        <Stack>
          <Text>
            “{confirm?.name}” and everything computed from it will be deleted. The file itself is not affected; you can
            import it again.
          </Text>
          <DeleteForm id={confirm?.id} onClose={() => setConfirm(null)} />
        </Stack>
      </Modal>
    </Stack>
  );
}

/** The data set's currency, changed in place (issue 14): an ISO code, or empty for plain numbers. */
function CurrencyForm({ id, currency, busy }: { id: number; currency: string | null; busy: boolean }) {
  return (
    <Form method="post" data-testid={`currency-form-${id}`}>
      <input type="hidden" name="intent" value="currency" />
      <input type="hidden" name="id" value={id} />
      <Group gap={4} justify="flex-end" wrap="nowrap" mt={4}>
        <TextInput
          size="xs"
          name="currency"
          defaultValue={currency ?? ""}
          placeholder="none"
          aria-label="Currency"
          w={64}
          maxLength={3}
        />
        <Button size="xs" variant="default" type="submit" disabled={busy}>
          Set
        </Button>
      </Group>
    </Form>
  );
}

/**
 * "Read again" for a warehouse data set (issue 17): the table's report, customers, segments and personas computed
 * anew in PostgreSQL, as a job polled as an import is (POST /api/warehouse/reread, GET /api/imports/:id), its stages
 * shown as they pass; the page's figures are loaded again once it has committed them all at once.
 */
function RereadButton({ id, table, busy }: { id: number; table: string; busy: boolean }) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const [start, setStart] = useState<string | null>(null);
  const revalidator = useRevalidator();
  const refs = useJobFollowing();
  const running = job?.status === "running";
  async function reread() {
    setStart(null);
    setJob(null);
    const res = await fetch("/api/warehouse/reread", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ dataset: id }),
    }).catch(() => null);
    const body = res ? await res.json() : null;
    if (!res?.ok) return setStart(body?.error ?? "The server could not be reached");
    setJob(body);
    followJob(
      body.id,
      (j) => {
        setJob(j);
        if (j.status === "done") revalidator.revalidate();
        return j.status === "running";
      },
      refs,
      setStart,
    );
  }
  const report = job?.status === "done" ? (job.report as ImportReport | null) : null;
  return (
    <Stack gap={4} maw={320}>
      <Button size="xs" variant="light" color="teal" onClick={reread} disabled={busy || running} loading={running}>
        Read again
      </Button>
      {running && <JobProgress job={job} testId="reread-progress" />}
      {report && (
        <Text size="xs" c="teal" role="status" data-testid="reread-done">
          Read {table} again: {n(report.linesRead)} lines, {n(report.customers)} customers
        </Text>
      )}
      {(start ?? (job?.status === "failed" ? job.error : null)) && (
        <Text size="xs" c="red" role="alert" data-testid="reread-error">
          {start ?? job?.error}
        </Text>
      )}
    </Stack>
  );
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["datasets"][number];

function DatasetRow({
  d,
  open,
  onToggle,
  onDelete,
  onUpdate,
  busy,
}: {
  d: Row;
  open: boolean;
  onToggle: () => void;
  onDelete: () => void;
  onUpdate: () => void;
  busy: boolean;
}) {
  return (
    <>
      <Table.Tr>
        <Table.Td>
          <Group gap="xs">
            <Text fw={600}>{d.name}</Text>
            {d.active && <Badge size="sm">active</Badge>}
          </Group>
          <Text size="xs" c="dimmed">
            {FORMAT_LABELS[d.report.format]}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{d.fileName}</Text>
          {d.warehouse && (
            <Text size="xs" c="dimmed" data-testid="warehouse-source">
              warehouse table at {d.warehouse.maskedUrl}
            </Text>
          )}
        </Table.Td>
        <Table.Td ta="right">{n(d.report.linesRead)}</Table.Td>
        <Table.Td ta="right">{n(d.report.customers)}</Table.Td>
        <Table.Td ta="right">
          {formatMoney(d.report.salesRevenue, d.currency)}
          <CurrencyForm id={d.id} currency={d.currency} busy={busy} />
        </Table.Td>
        <Table.Td>
          <Text size="sm">
            {d.firstAt?.slice(0, 10)} – {d.lastAt?.slice(0, 10)}
          </Text>
        </Table.Td>
        <Table.Td>
          <Group gap="xs" justify="flex-end" wrap="nowrap">
            <Button size="xs" variant="subtle" onClick={onToggle}>
              {open ? "Hide report" : "Report"}
            </Button>
            {d.warehouse ? (
              <RereadButton id={d.id} table={d.warehouse.ordersTable} busy={busy} />
            ) : (
              <Button size="xs" variant="light" color="teal" onClick={onUpdate} disabled={busy}>
                Add newer transactions
              </Button>
            )}
            {!d.active && (
              <Form method="post">
                <input type="hidden" name="intent" value="activate" />
                <input type="hidden" name="id" value={d.id} />
                <Button size="xs" variant="light" type="submit" disabled={busy}>
                  Make active
                </Button>
              </Form>
            )}
            <Button size="xs" variant="subtle" color="red" onClick={onDelete} disabled={busy}>
              Delete
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      <Table.Tr style={{ display: open ? undefined : "none" }}>
        <Table.Td colSpan={7}>
          <Collapse in={open}>
            <Stack p="sm">
              <ImportReportView report={d.report} datasetId={d.id} currency={d.currency} />
              <Anchor size="sm" href={`/api/datasets/${d.id}`}>
                Download the report as JSON
              </Anchor>
              <History entries={d.history} currency={d.currency} />
            </Stack>
          </Collapse>
        </Table.Td>
      </Table.Tr>
    </>
  );
}

/** The data set's imports and updates, oldest first (issue 13). */
function History({ entries, currency }: { entries: Row["history"]; currency: string | null }) {
  const [shown, setShown] = useState<number | null>(null);
  if (entries.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="dataset-history">
      <Title order={5}>History</Title>
      <Table withTableBorder fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When (UTC)</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>File</Table.Th>
            <Table.Th ta="right">Lines added</Table.Th>
            <Table.Th ta="right">Overlap (matched / not found)</Table.Th>
            <Table.Th>Period</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((h) => {
            const r = h.report;
            const update = "kind" in r ? r : null;
            const clean = update ? update.clean : (r as ImportReport);
            const range = clean.dateRange;
            return (
              <Fragment key={h.id}>
                <Table.Tr>
                  <Table.Td>{h.importedAt.slice(0, 16).replace("T", " ")}</Table.Td>
                  <Table.Td>{update ? "update" : "import"}</Table.Td>
                  <Table.Td>{h.fileName}</Table.Td>
                  <Table.Td ta="right">
                    {n(update ? update.added : clean.salesLines + clean.cancellationLines)}
                  </Table.Td>
                  <Table.Td ta="right">
                    {update
                      ? `${n(update.overlap.lines)}${update.overlap.checked ? ` (${n(update.overlap.matched ?? 0)} / ${n(update.overlap.notFound ?? 0)})` : " (not checked)"}`
                      : "–"}
                  </Table.Td>
                  <Table.Td>
                    {range ? `${range[0].slice(0, 10)} – ${range[1].slice(0, 10)}` : "no line"}
                    {clean.until ? ` (up to ${clean.until})` : ""}
                  </Table.Td>
                  <Table.Td>
                    {update && (
                      <Button size="xs" variant="subtle" onClick={() => setShown(shown === h.id ? null : h.id)}>
                        {shown === h.id ? "Hide" : "Report"}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
                {update && shown === h.id && (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <UpdateReportView report={update} currency={currency} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
