import { Text } from "@mantine/core";

/** The words under a monthly chart or table: which months are partial, "2011-12* partial (9 of 31 days)". */
export function PartialNote({
  months,
}: {
  months: { month: string; partial: boolean; days: number; daysInMonth: number }[];
}) {
  const partial = months.filter((m) => m.partial);
  if (!partial.length) return null;
  return (
    <Text size="xs" c="dimmed" mt={4} data-testid="partial-note">
      Hatched, marked *: {partial.map((m) => `${m.month} partial (${m.days} of ${m.daysInMonth} days)`).join("; ")}. The
      data or the filter covers
      {partial.length > 1 ? " these months" : " this month"} only in part: do not compare{" "}
      {partial.length > 1 ? "them" : "it"} with full months.
    </Text>
  );
}
