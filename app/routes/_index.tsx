import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { int, percent, signedPercent } from "~/components/format";
import { liftLower } from "~/lib/lift";
import { activeDataset } from "~/db/active.server";
import { campaignBoard, gettingStarted, type BoardCard } from "~/experiments/board.server";
import { DECISION_LABELS } from "~/experiments/decisions";
import { METRIC_LABELS } from "~/experiments/design";

export const meta: MetaFunction = () => [{ title: "Campaigns · Campaign Lab" }];

// the overview used to live at "/": its filtered links (?from, ?to, ?country, ?view) keep working there
const OVERVIEW_PARAMS = ["from", "to", "country", "view"];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (OVERVIEW_PARAMS.some((p) => url.searchParams.has(p))) throw redirect(`/overview${url.search}`, 301);
  const active = activeDataset();
  const steps = gettingStarted(active?.db ?? null, active?.id ?? null);
  if (!active) return json({ dataset: null, steps, board: null });
  return json({ dataset: active.name, steps, board: campaignBoard(active.db, active.id) });
}

const COLUMNS = [
  { status: "draft", title: "Draft" },
  { status: "running", title: "Running" },
  { status: "completed", title: "Completed" },
] as const;

export default function CampaignsBoard() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const showArchived = params.get("archived") === "1";
  const board = data.board;
  const empty = !board || (COLUMNS.every((c) => board.columns[c.status].length === 0) && board.archived.length === 0);
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <div>
          <Title order={2}>{empty ? "Welcome to Campaign Lab" : "Campaigns"}</Title>
          <Text c="dimmed">
            {empty
              ? "Design, run and decide campaign tests on your shop's own customers."
              : `${data.dataset}: every campaign test, from draft to decision.`}
          </Text>
        </div>
        {!empty && (
          <Group>
            <Button
              component={Link}
              to={showArchived ? "/" : "/?archived=1"}
              variant="subtle"
              data-testid="archived-toggle"
            >
              {showArchived ? "Hide archived" : `Show archived (${board?.archived.length ?? 0})`}
            </Button>
            <Button component={Link} to="/experiments/new">
              Design a test
            </Button>
          </Group>
        )}
      </Group>
      {params.get("deleted") && (
        <Alert color="teal">Deleted “{params.get("deleted")}” with its assignment and results.</Alert>
      )}
      {empty ? (
        <Card withBorder maw={720} data-testid="guide">
          <Title order={4} mb="sm">
            Three steps to your first test
          </Title>
          <Stack gap="sm">
            {data.steps.map((s, i) => (
              <Group
                key={s.key}
                wrap="nowrap"
                align="flex-start"
                data-testid={`guide-${s.key}`}
                data-done={s.done ? "yes" : "no"}
              >
                <ThemeIcon radius="xl" color={s.done ? "teal" : "gray"} variant={s.done ? "filled" : "light"}>
                  {s.done ? "✓" : i + 1}
                </ThemeIcon>
                <div>
                  <Anchor component={Link} to={s.href} fw={600} td={s.done ? "line-through" : undefined}>
                    {s.label}
                  </Anchor>
                  <Text size="sm" c="dimmed">
                    {s.detail}
                    {s.done ? " — done" : ""}
                  </Text>
                </div>
              </Group>
            ))}
          </Stack>
        </Card>
      ) : (
        <SimpleGrid cols={{ base: 1, md: showArchived ? 4 : 3 }} spacing="md" data-testid="board">
          {COLUMNS.map((c) => (
            <Column key={c.status} title={c.title} testId={`column-${c.status}`} cards={board!.columns[c.status]} />
          ))}
          {showArchived && <Column title="Archived" testId="column-archived" cards={board!.archived} />}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function Column({ title, cards, testId }: { title: string; cards: BoardCard[]; testId: string }) {
  return (
    <Stack gap="sm" data-testid={testId}>
      <Group gap="xs">
        <Title order={4}>{title}</Title>
        <Badge variant="light" color="gray">
          {cards.length}
        </Badge>
      </Group>
      {cards.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing here.
        </Text>
      )}
      {cards.map((c) => (
        <CampaignCard key={c.id} card={c} />
      ))}
    </Stack>
  );
}

const signed = (x: number | null) => (x === null ? "…" : signedPercent(x, 1));

function CampaignCard({ card: c }: { card: BoardCard }) {
  const decision = c.decision ?? null;
  return (
    <Card withBorder padding="sm" data-testid={`card-${c.id}`}>
      <Stack gap={4}>
        <Anchor component={Link} to={`/experiments/${c.id}`} fw={700}>
          {c.name}
        </Anchor>
        {(c.rehearsal || decision || c.proposal || c.stoppedEarly) && (
          <Group gap={4}>
            {c.rehearsal && (
              <Badge color="grape" size="sm">
                REHEARSAL
              </Badge>
            )}
            {decision && (
              <Badge size="sm" color={decision === "ship" ? "teal" : decision === "dont-ship" ? "red" : "gray"}>
                {DECISION_LABELS[decision]}
              </Badge>
            )}
            {!decision && c.proposal && (
              <Badge size="sm" variant="outline" color="gray">
                proposes {DECISION_LABELS[c.proposal]}
              </Badge>
            )}
            {c.stoppedEarly && (
              <Badge size="sm" variant="light" color="orange">
                stopped early
              </Badge>
            )}
          </Group>
        )}
        <Text size="sm">
          {c.audience}
          {c.audienceSize !== null ? ` · ${int(c.audienceSize)} customers` : ""}
        </Text>
        <Text size="xs" c="dimmed">
          {c.arms
            .map((a) => (c.status === "draft" ? `${a.name} ${percent(a.share, 0)}` : `${a.name} ${int(a.assigned)}`))
            .join(" · ")}
        </Text>
        <Text size="xs" c="dimmed">
          {c.startDate
            ? `Started ${c.startDate} · day ${c.daysObserved} of ${c.windowDays} observed`
            : `${c.campaignType} · W = ${c.windowDays} days`}
        </Text>
        <Text size="sm" data-testid="card-lift">
          {c.lift && c.lift.estimate !== null
            ? `${METRIC_LABELS[c.metric as keyof typeof METRIC_LABELS].replace(/ within W days| per customer within W days/, "")}: ` +
              `${signed(c.lift.estimate)} (${liftLower(c.lift.ci?.[0] ?? null, signed, "…")} to ${signed(c.lift.ci?.[1] ?? null)})${c.rehearsal ? " simulated" : ""}`
            : c.status === "draft"
              ? "not started"
              : "no results yet"}
        </Text>
        <Group justify="flex-end">
          <Button component={Link} to={c.next.href} size="xs" variant={c.next.label === "Open" ? "default" : "light"}>
            {c.next.label}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
