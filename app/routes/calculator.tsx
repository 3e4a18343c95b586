import { Select, Stack, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { PowerCalculator } from "~/components/PowerCalculator";
import { amount, int, percent } from "~/components/format";
import { savedAudienceBaselines } from "~/experiments/audience-baselines.server";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { activeDataset } from "~/db/active.server";
import { listAudiences } from "~/segments/audiences.server";

export const meta: MetaFunction = () => [{ title: "Power calculator · Campaign Lab" }];

/** The back-test window of the baselines: the experiment form's default W. */
const WINDOW_DAYS = DEFAULT_DESIGN.windowDays;

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  const audiences = active
    ? listAudiences(active.db, active.id).map((a) => ({ id: a.id, name: a.name, customers: a.customers }))
    : [];
  const chosen = Number(new URL(request.url).searchParams.get("audience"));
  const history =
    active && Number.isInteger(chosen) && chosen > 0
      ? savedAudienceBaselines(active.db, active.id, chosen, WINDOW_DAYS)
      : null;
  return json({
    audiences,
    history: history && {
      id: chosen,
      referenceDate: history.referenceDate,
      windowStart: history.windowStart,
      windowEnd: history.windowEnd,
      windowDays: history.windowDays,
      members: history.members,
      conversion: history.baselines.conversion,
      revenueMean: history.baselines.revenueMean,
      revenueSd: history.baselines.revenueSd,
    },
  });
}

export default function Calculator() {
  const { audiences, history } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const chosen = audiences.find((a) => String(a.id) === params.get("audience"));
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Power calculator</Title>
        <Text c="dimmed">
          How many customers a campaign test needs, the power of a given size, and the smallest effect an audience can
          reveal.
        </Text>
      </div>
      {audiences.length > 0 && (
        <Select
          label="Size from a saved audience"
          placeholder="Type the audience size instead"
          clearable
          w={360}
          value={chosen ? String(chosen.id) : null}
          data={audiences.map((a) => ({ value: String(a.id), label: `${a.name} (${int(a.customers)} customers)` }))}
          onChange={(v) => setParams((p) => (v ? p.set("audience", v) : p.delete("audience"), p), { replace: true })}
        />
      )}
      {chosen && history && history.id === chosen.id && (
        <Text size="sm" c="dimmed" data-testid="calculator-history">
          Baselines back-tested for {chosen.name}: its {int(history.members)} members as of {history.referenceDate},
          outcome over {history.windowStart} to {history.windowEnd} ({history.windowDays} days): conversion{" "}
          {percent(history.conversion)}, revenue per customer{" "}
          {history.revenueMean === null ? "–" : amount(history.revenueMean)} (sd{" "}
          {history.revenueSd === null ? "–" : amount(history.revenueSd)}). The audience is fixed: a longer test does not
          add customers.
        </Text>
      )}
      <PowerCalculator
        key={`${chosen?.id ?? "none"}:${history?.id ?? ""}`}
        defaults={{
          audience: chosen?.customers,
          fixedAudience: chosen !== undefined,
          baseline: history?.conversion ?? undefined,
          mean: history?.revenueMean ?? undefined,
          sd: history?.revenueSd ?? undefined,
        }}
      />
    </Stack>
  );
}
