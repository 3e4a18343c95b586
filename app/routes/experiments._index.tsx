import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { int } from "~/components/format";
import { METRIC_LABELS } from "~/experiments/design";
import { experimentsTable } from "~/experiments/list.server";
import { activeDataset } from "~/db/active.server";
import { TableHead } from "~/components/TableHead";

export const meta: MetaFunction = () => [{ title: "Experiments · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const search = new URL(request.url).searchParams;
  const status = search.get("status");
  const filter = status === "draft" || status === "running" || status === "completed" ? status : undefined;
  return json({
    empty: false as const,
    rows: experimentsTable(active.db, active.id, filter, { archived: search.get("archived") === "1" }),
  });
}

/** The list's address with its filters: status, archived shown (archived=1), and the CSV format. */
function listUrl(base: string, status: string | null, archived: boolean, csv = false): string {
  const q = new URLSearchParams();
  if (status) q.set("status", status);
  if (archived) q.set("archived", "1");
  if (csv) q.set("format", "csv");
  const text = q.toString();
  return text ? `${base}?${text}` : base;
}

const STATUS_COLOURS = { draft: "gray", running: "blue", completed: "teal" } as const;

export default function Experiments() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  if (data.empty) return <EmptyState title="Experiments" />;
  const showArchived = params.get("archived") === "1";
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <div>
          <Title order={2}>Experiments</Title>
          <Text c="dimmed">Campaign tests designed on the shop's own audiences.</Text>
        </div>
        <Button component={Link} to="/experiments/new">
          New experiment
        </Button>
      </Group>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Group>
            <SegmentedControl
              value={params.get("status") ?? "all"}
              onChange={(v) => navigate(listUrl("/experiments", v === "all" ? null : v, showArchived))}
              data={["all", "draft", "running", "completed"].map((s) => ({ value: s, label: s }))}
            />
            <Checkbox
              label="Show archived"
              checked={showArchived}
              data-testid="show-archived"
              onChange={(ev) => navigate(listUrl("/experiments", params.get("status"), ev.currentTarget.checked))}
            />
          </Group>
          <Anchor size="sm" href={listUrl("/api/experiments", params.get("status"), showArchived, true)} download>
            Download CSV
          </Anchor>
        </Group>
        {data.rows.length === 0 ? (
          <Text c="dimmed">No experiment here yet.</Text>
        ) : (
          <Table striped highlightOnHover fz="sm" data-testid="experiments-table">
            <TableHead
              columns={["Name", "Campaign", "Audience", "Status", "Primary metric", "Planned size", "Decision"]}
            />
            <Table.Tbody>
              {data.rows.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/experiments/${r.id}`} fw={600}>
                      {r.name}
                    </Anchor>
                    {r.rehearsal && (
                      <Badge ml="xs" color="grape" data-testid="list-rehearsal">
                        REHEARSAL (simulated)
                      </Badge>
                    )}
                    {r.archived && (
                      <Badge ml="xs" color="dark" variant="outline">
                        archived
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{r.campaignType}</Table.Td>
                  <Table.Td>{r.audience}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOURS[r.status]}>{r.status}</Badge>
                  </Table.Td>
                  <Table.Td>{METRIC_LABELS[r.primaryMetric].replace("W", String(r.windowDays))}</Table.Td>
                  <Table.Td ta="right">{r.plannedTotal === null ? "–" : int(r.plannedTotal)}</Table.Td>
                  <Table.Td>
                    {r.rehearsal ? "none: a rehearsal is not a result" : (r.decision ?? "not analysed yet")}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
