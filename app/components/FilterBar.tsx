import { Alert, Button, Group, Select, TextInput } from "@mantine/core";
import { Form, Link, useLocation, useSubmit } from "@remix-run/react";
import type { Filter } from "~/analytics/facts";

type Props = {
  filter: Filter;
  bounds: { first: string; last: string; countries: string[] };
  error: string | null;
  keep?: Record<string, string | undefined>;
};

/** Date range and country, kept in the URL so that a link reproduces the view; changes apply at once. */
export function FilterBar({ filter, bounds, error, keep = {} }: Props) {
  const submit = useSubmit();
  const { pathname } = useLocation();
  return (
    <>
      <Form
        method="get"
        onChange={(e) => submit(e.currentTarget, { preventScrollReset: true, replace: true })}
        data-testid="filter-bar"
      >
        {Object.entries(keep).map(([k, v]) => v !== undefined && <input key={k} type="hidden" name={k} value={v} />)}
        <Group align="flex-end" gap="sm">
          {(["from", "to"] as const).map((end) => (
            <TextInput
              type="date"
              name={end}
              label={end === "from" ? "From" : "To"}
              defaultValue={filter[end] ?? ""}
              min={bounds.first}
              max={bounds.last}
              // a new key when the URL changes the day, so the uncontrolled input shows it
              key={`${end}-${filter[end]}`}
            />
          ))}
          <Select
            name="country"
            label="Country"
            placeholder="All countries"
            data={bounds.countries}
            defaultValue={filter.country ?? null}
            searchable
            clearable
            w={220}
            key={`country-${filter.country}`}
            onChange={() =>
              setTimeout(() =>
                submit(document.querySelector("[data-testid=filter-bar]") as HTMLFormElement, {
                  replace: true,
                  preventScrollReset: true,
                }),
              )
            }
          />
          <Button variant="default" component={Link} to={pathname + (keep.view ? `?view=${keep.view}` : "")}>
            Reset
          </Button>
        </Group>
      </Form>
      {error && (
        <Alert color="orange" mt="xs">
          The filter was not applied: {error}
        </Alert>
      )}
    </>
  );
}

/** The filter as URL parameters, for links and CSV downloads. */
export function filterQuery(filter: Filter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v) params.set(k, v);
  return params.toString();
}
