import { Button, Stack, Text, Title } from "@mantine/core";
import { Link } from "@remix-run/react";

/** Shown instead of empty charts when no data set has been imported. */
export function EmptyState({ title }: { title: string }) {
  return (
    <Stack align="flex-start">
      <Title order={2}>{title}</Title>
      <Text>No data yet. Import a year of transactions to see this page.</Text>
      <Button component={Link} to="/data">
        Import data
      </Button>
    </Stack>
  );
}
