import { Select, Stack, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { PowerCalculator } from "~/components/PowerCalculator";
import { int } from "~/components/format";
import { activeDataset } from "~/db/active.server";
import { listAudiences } from "~/segments/audiences.server";

export const meta: MetaFunction = () => [{ title: "Power calculator · Campaign Lab" }];

export async function loader(_: LoaderFunctionArgs) {
  const active = activeDataset();
  const audiences = active ? listAudiences(active.db, active.id).map((a) => ({ id: a.id, name: a.name, customers: a.customers })) : [];
  return json({ audiences });
}

export default function Calculator() {
  const { audiences } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const chosen = audiences.find((a) => String(a.id) === params.get("audience"));
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Power calculator</Title>
        <Text c="dimmed">How many customers a campaign test needs, the power of a given size, and the smallest effect an audience can reveal.</Text>
      </div>
      {audiences.length > 0 && (
        <Select label="Size from a saved audience" placeholder="Type the audience size instead" clearable w={360} value={chosen ? String(chosen.id) : null}
          data={audiences.map((a) => ({ value: String(a.id), label: `${a.name} (${int(a.customers)} customers)` }))}
          onChange={(v) => setParams((p) => (v ? p.set("audience", v) : p.delete("audience"), p), { replace: true })} />
      )}
      <PowerCalculator key={chosen?.id ?? "none"} defaults={{ audience: chosen?.customers }} />
    </Stack>
  );
}
