import { Button, Group } from "@mantine/core";
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";

/**
 * The form of a "Delete this …?" dialog: posts intent=delete with the id to the page's action; "Keep it" closes the
 * dialog without a request. `children` stand above the buttons.
 */
export function DeleteForm({
  id,
  onClose,
  children,
}: {
  id: number | undefined;
  onClose: () => void;
  children?: ReactNode;
}) {
  return (
    <Form method="post" onSubmit={onClose}>
      <input type="hidden" name="intent" value="delete" />
      <input type="hidden" name="id" value={id ?? ""} />
      {children}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Keep it
        </Button>
        <Button type="submit" color="red">
          Delete
        </Button>
      </Group>
    </Form>
  );
}
