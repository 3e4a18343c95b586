import { Table } from "@mantine/core";

/**
 * A table's header row from its column titles. `alignFigures`: the first column (the label) to the left, the others
 * (figures) to the right, as the cells below them.
 */
export function TableHead({ columns, alignFigures }: { columns: readonly string[]; alignFigures?: boolean }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c, i) => (
          <Table.Th key={i} ta={alignFigures ? (i === 0 ? "left" : "right") : undefined}>
            {c}
          </Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}
