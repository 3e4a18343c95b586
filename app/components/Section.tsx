import { Card, Group, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A bordered card headed by its title, with what acts on the whole card (a download, a view switch) on the right. */
export function Section({
  title,
  aside,
  testId,
  children,
}: {
  title: ReactNode;
  aside?: ReactNode;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder data-testid={testId}>
      <Group justify="space-between" mb="xs">
        <Title order={4}>{title}</Title>
        {aside}
      </Group>
      {children}
    </Card>
  );
}
