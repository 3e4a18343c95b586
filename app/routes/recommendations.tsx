import { Anchor, Card, Group, Stack, Text, Title } from "@mantine/core";
import { json, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/EmptyState";
import { recommendations } from "~/planning/recommendations.server";
import { activeDataset } from "~/db/active.server";

export const meta: MetaFunction = () => [{ title: "Recommendations · Campaign Lab" }];

export async function loader() {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  return json({ empty: false as const, dataset: active.name, items: recommendations(active.db, active.id) });
}

export default function Recommendations() {
  const data = useLoaderData<typeof loader>();
  if (data.empty) return <EmptyState title="Recommendations" />;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Recommendations</Title>
        <Text c="dimmed">{data.dataset} · written from this data set; each links to its evidence.</Text>
      </div>
      {data.items.map((r) => (
        <Card key={r.key} withBorder data-testid={`recommendation-${r.key}`}>
          <Title order={4}>{r.title}</Title>
          <Text mt={4}>{r.text}</Text>
          <Group gap="md" mt="xs">
            {r.links.map((l) => (
              <Anchor key={l.to + l.label} component={Link} to={l.to} size="sm">
                {l.label} →
              </Anchor>
            ))}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
