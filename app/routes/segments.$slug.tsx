import {
  Anchor,
  Button,
  Card,
  Group,
  Pagination,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { ResponsiveBar } from "@nivo/bar";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { EmptyState } from "~/components/EmptyState";
import { amount, int } from "~/components/format";
import { describeIssues } from "~/lib/validation";
import { activeDataset } from "~/db/active.server";
import { audienceFor } from "~/segments/audiences.server";
import { memberPage, memberProfile, type MemberQuery } from "~/segments/queries.server";
import { MEMBER_SORTS } from "~/segments/settings";
import { SEGMENT_ACTIONS, segmentAt, segmentFromSlug, segmentSlug, type SegmentName } from "~/segments/rfm";
import { BackLink } from "~/components/BackLink";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data && !data.empty ? data.title : "Segment"} · Campaign Lab` },
];

const querySchema = z.object({
  q: z.string().trim().max(100).optional(),
  sort: z.enum(MEMBER_SORTS).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** A segment slug ("cant-lose-them") or a grid cell ("r5-fm4"). */
function resolve(slug: string): { segment?: SegmentName; cell?: { r: number; fm: number }; title: string } | null {
  const cell = /^r([1-5])-fm([1-5])$/.exec(slug);
  if (cell) {
    const r = +cell[1];
    const fm = +cell[2];
    return { cell: { r, fm }, title: `R ${r} × FM ${fm} (${segmentAt(r, fm)})` };
  }
  const segment = segmentFromSlug(slug);
  return segment ? { segment, title: segment } : null;
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const target = resolve(params.slug ?? "");
  if (!target) throw new Response(`No segment "${params.slug}"`, { status: 404 });
  const parsed = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const q = parsed.success ? parsed.data : {};
  const query: MemberQuery = {
    segment: target.segment,
    cell: target.cell,
    search: q.q,
    sort: q.sort ?? "monetary",
    descending: (q.dir ?? "desc") === "desc",
    page: q.page,
    pageSize: 25,
  };
  return json({
    empty: false as const,
    title: target.title,
    segment: target.segment ?? null,
    cellSegment: target.cell ? segmentAt(target.cell.r, target.cell.fm) : null,
    queryError: parsed.success ? null : describeIssues(parsed.error),
    members: memberPage(active.db, active.id, query),
    // issue 14: the header counts the whole segment or cell, whatever the search
    everyone: q.q
      ? memberPage(active.db, active.id, { segment: target.segment, cell: target.cell, pageSize: 1 }).total
      : null,
    profile: memberProfile(active.db, active.id, { segment: target.segment, cell: target.cell }),
  });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const active = activeDataset();
  const target = resolve(params.slug ?? "");
  if (!active || !target) throw new Response("No such segment", { status: 404 });
  // a segment, or a cell of the R × FM grid as a filter audience (issue 14); never a duplicate
  const input = target.segment
    ? { name: target.segment, definition: { kind: "segment" as const, segment: target.segment } }
    : { name: target.title, definition: { kind: "filter" as const, cell: target.cell! } };
  const { id, existed } = audienceFor(active.db, active.id, input);
  // "Design a test" on a grid cell: the cell becomes a saved audience, and the new test opens on it (issue 16)
  if ((await request.formData()).get("next") === "design") return redirect(`/experiments/new?audience=${id}`);
  return redirect(`/audiences?saved=${id}${existed ? "&existed=1" : ""}`);
}

const COLUMNS: { key: (typeof MEMBER_SORTS)[number]; label: string; numeric?: boolean }[] = [
  { key: "customer_id", label: "Customer" },
  { key: "country", label: "Country" },
  { key: "recency", label: "Recency (days)", numeric: true },
  { key: "frequency", label: "Orders", numeric: true },
  { key: "monetary", label: "Net spend", numeric: true },
  { key: "r", label: "R", numeric: true },
  { key: "f", label: "F", numeric: true },
  { key: "m", label: "M", numeric: true },
  { key: "segment", label: "Segment" },
];

function Distribution({
  title,
  bins,
  testId,
}: {
  title: string;
  bins: { bin: string; customers: number }[];
  testId: string;
}) {
  return (
    <Card withBorder padding="sm">
      <Text fw={600} size="sm">
        {title}
      </Text>
      <div style={{ height: 200 }} data-testid={testId}>
        <ResponsiveBar
          data={bins}
          keys={["customers"]}
          indexBy="bin"
          margin={{ top: 10, right: 10, bottom: 60, left: 45 }}
          padding={0.2}
          colors={["#7048e8"]}
          axisBottom={{ tickRotation: -45 }}
          enableLabel={false}
          role="img"
          ariaLabel={title}
          barAriaLabel={(d) => `${d.indexValue}: ${int(Number(d.value))} customers`}
        />
      </div>
    </Card>
  );
}

export default function SegmentDetail() {
  const data = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const navigation = useNavigation();
  const [search, setSearch] = useState(params.get("q") ?? "");
  // search as you type (issue 14): the URL follows the box 250 ms after the last key, back on page 1
  useEffect(() => {
    if (search === (params.get("q") ?? "")) return;
    const timer = setTimeout(
      () =>
        setParams((p) => (search ? p.set("q", search) : p.delete("q"), p.delete("page"), p), {
          replace: true,
          preventScrollReset: true,
        }),
      250,
    );
    return () => clearTimeout(timer);
  }, [search, params, setParams]);
  if (data.empty) return <EmptyState title="Segment" />;
  const { members, profile, title, segment, cellSegment } = data;
  const everyone = data.everyone ?? members.total;
  const sort = params.get("sort") ?? "monetary";
  const dir = params.get("dir") ?? "desc";
  const link = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v === null ? next.delete(k) : next.set(k, v);
    return `?${next}`;
  };
  return (
    <Stack gap="lg">
      <div>
        <BackLink to="/segments">Segments</BackLink>
        <Title order={2}>{title}</Title>
        <Text c="dimmed" data-testid="segment-count">
          {int(everyone)} customers{segment ? ` · ${SEGMENT_ACTIONS[segment]}` : ""}
        </Text>
      </div>
      <Group>
        <Form method="post">
          <Button type="submit" loading={navigation.state !== "idle" && navigation.formMethod === "POST"}>
            Use as audience
          </Button>
        </Form>
        {segment ? (
          <Button component={Link} to={`/experiments/new?segment=${encodeURIComponent(segment)}`} variant="light">
            Design a test
          </Button>
        ) : (
          <Form method="post">
            <input type="hidden" name="next" value="design" />
            <Button type="submit" variant="light">
              Design a test
            </Button>
          </Form>
        )}
        {cellSegment && (
          <Anchor component={Link} to={`/segments/${segmentSlug(cellSegment)}`}>
            Open the whole segment “{cellSegment}”
          </Anchor>
        )}
        {segment && (
          <Anchor href={`/api/segments/members.csv?segment=${segmentSlug(segment)}`} download>
            rfm_customers.csv
          </Anchor>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2, lg: 4 }}>
        <Distribution title="Recency" bins={profile.recency} testId="dist-recency" />
        <Distribution title="Frequency" bins={profile.frequency} testId="dist-frequency" />
        <Distribution title="Net spend (monetary)" bins={profile.monetary} testId="dist-monetary" />
        <Card withBorder padding="sm">
          <Text fw={600} size="sm" mb="xs">
            Top countries
          </Text>
          {profile.countries.map((c) => (
            <Group key={c.country} justify="space-between">
              <Text size="sm">{c.country}</Text>
              <Text size="sm">{int(c.customers)}</Text>
            </Group>
          ))}
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={4}>Members</Title>
          <TextInput
            name="q"
            placeholder="Search customer id or country"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={280}
            aria-label="Search members"
          />
        </Group>
        <Table striped highlightOnHover fz="sm" data-testid="members-table">
          <Table.Thead>
            <Table.Tr>
              {COLUMNS.map((c) => (
                <Table.Th key={c.key} ta={c.numeric ? "right" : "left"}>
                  <Anchor
                    component={Link}
                    to={link({ sort: c.key, dir: sort === c.key && dir === "desc" ? "asc" : "desc", page: null })}
                    size="sm"
                    c="inherit"
                  >
                    {c.label}
                    {sort === c.key ? (dir === "desc" ? " ▼" : " ▲") : ""}
                  </Anchor>
                </Table.Th>
              ))}
              <Table.Th>Persona</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.rows.map((m) => (
              <Table.Tr key={m.customerId}>
                <Table.Td>
                  <Anchor component={Link} to={`/customers/${encodeURIComponent(m.customerId)}`}>
                    {m.customerId}
                  </Anchor>
                </Table.Td>
                <Table.Td>{m.country}</Table.Td>
                <Table.Td ta="right">{int(m.recency)}</Table.Td>
                <Table.Td ta="right">{int(m.frequency)}</Table.Td>
                <Table.Td ta="right">{amount(m.monetary)}</Table.Td>
                <Table.Td ta="right">{m.r}</Table.Td>
                <Table.Td ta="right">{m.f}</Table.Td>
                <Table.Td ta="right">{m.m}</Table.Td>
                <Table.Td>{m.segment}</Table.Td>
                <Table.Td>{m.persona}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {members.rows.length === 0 && (
          <Text c="dimmed" mt="sm">
            No customer matches.
          </Text>
        )}
        <Group justify="space-between" mt="sm">
          <Text size="sm" c="dimmed" data-testid="members-matching">
            Page {members.page} of {Math.max(1, Math.ceil(members.total / members.pageSize))} ·{" "}
            {params.get("q")
              ? `${int(members.total)} of ${int(everyone)} customers match “${params.get("q")}”`
              : `${int(members.total)} customers`}
          </Text>
          <Pagination
            total={Math.max(1, Math.ceil(members.total / members.pageSize))}
            value={members.page}
            getItemProps={(page) => ({ component: Link, to: link({ page: String(page) }) })}
            getControlProps={(control) => {
              const pages = Math.max(1, Math.ceil(members.total / members.pageSize));
              const target = {
                first: 1,
                previous: Math.max(1, members.page - 1),
                next: Math.min(pages, members.page + 1),
                last: pages,
              }[control];
              return { component: Link, to: link({ page: String(target) }) };
            }}
          />
        </Group>
      </Card>
    </Stack>
  );
}
