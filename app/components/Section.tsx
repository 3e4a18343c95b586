import { Card, Group, Title, type TitleOrder } from "@mantine/core";
import type { ReactNode } from "react";

/** A bordered card headed by its title, with what acts on the whole card (a download, a view switch) on the right. */
export function Section({
  title,
  aside,
  order = 4,
  testId,
  children,
}: {
  title: ReactNode;
  aside?: ReactNode;
  /** 4 on a page, 5 inside an experiment's page */
  order?: TitleOrder;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder data-testid={testId}>
      {aside ? (
        <Group justify="space-between" mb="xs">
          <Title order={order}>{title}</Title>
          {aside}
        </Group>
      ) : (
        <Title order={order} mb="xs">
          {title}
        </Title>
      )}
      {children}
    </Card>
  );
}
