import { Anchor } from "@mantine/core";
import type { Filter } from "~/analytics/facts";
import { filterQuery } from "./FilterBar";

/** A CSV download of one report table, with the page's filter. */
export function Download({
  report,
  table,
  filter,
  label = "Download CSV",
}: {
  report: string;
  table: string;
  filter: Filter;
  label?: string;
}) {
  return (
    <Anchor size="sm" href={`/api/report/${report}?${filterQuery(filter, { format: "csv", table })}`} download>
      {label}
    </Anchor>
  );
}
