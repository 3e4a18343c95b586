import {
  Alert,
  Anchor,
  Card,
  Group,
  List,
  Loader,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { json, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useRevalidator, useSearchParams, useSubmit } from "@remix-run/react";
import { useEffect } from "react";
import { filterSchema } from "~/analytics/filter";
import { GroupedBars } from "~/components/charts/GroupedBars";
import { EmptyState } from "~/components/EmptyState";
import { amount, int, percent } from "~/components/format";
import { valueByGroup, valueModelState, type ValueModel } from "~/planning/value.server";
import { activeDataset } from "~/db/active.server";
import { TableHead } from "~/components/TableHead";
import { Section } from "~/components/Section";

export const meta: MetaFunction = () => [{ title: "Customer value · Campaign Lab" }];

// a "Fitting…" page says not to keep it (the page cache and the browser): the next visit must see the fit
export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const cache = loaderHeaders.get("Cache-Control");
  return cache ? { "Cache-Control": cache } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const search = new URL(request.url).searchParams;
  const date = filterSchema.safeParse({ from: search.get("calibrationEnd") || undefined });
  const state = await valueModelState(active.db, active.id, date.success ? date.data.from : undefined);
  // fits longer than the wait run on in their thread: until they are ready the page says so and asks again (never cached)
  if (state.status !== "ready")
    return json(
      {
        empty: false as const,
        ready: false as const,
        fitting: state.status === "fitting",
        error: state.status === "failed" ? state.error : null,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  const model = state.model;
  const by = search.get("by") === "persona" ? "persona" : "segment";
  const top = [...model.rows].sort((a, b) => b.revenue365 - a.revenue365).slice(0, 25);
  const { rows: _rows, ...fit } = model;
  return json({
    empty: false as const,
    ready: true as const,
    fit,
    groups: valueByGroup(model, by),
    top,
    by,
    dateError: date.success ? null : "use a date YYYY-MM-DD within the data",
  });
}

type Fit = ValueModel["fits"]["plain"];
const ONE_PURCHASE = "n/a (one purchase)";
// BG/NBD gives P(alive) = 1 to every customer with no repeat purchase (FHL 2005 eq. 11): it cannot tell them apart
const P_ALIVE_NOTE =
  "P(alive) is the chance a customer still buys. BG/NBD counts a customer with a single purchase as " +
  "alive by construction (nothing tells it they left), so it is shown as n/a for them and the group " +
  "figures average it over repeat buyers only; the CSV keeps p_alive = 1 for them.";
const num = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4));

/** One fit's parameters, how it ended, its holdout check and its problems in words. */
function FitCard({ title, fit, used }: { title: string; fit: Fit; used: boolean }) {
  const { bgnbd: b, gammaGamma: g, holdout: h } = fit;
  return (
    <Card withBorder data-testid={used ? "clv-fit-used" : "clv-fit-other"}>
      <Text fw={600} size="sm">
        {title}
        {used ? " — used for the predictions" : ""}
      </Text>
      <Text size="sm">
        BG/NBD: r {num(b.r)}, α {num(b.alpha)}, a {num(b.a)}, b {num(b.b)} (log-likelihood {b.logLikelihood.toFixed(2)};{" "}
        {b.status}, {int(b.evaluations)} evaluations)
      </Text>
      <Text size="sm">
        Gamma-Gamma: p {num(g.p)}, q {num(g.q)}, v {num(g.v)} ({int(g.customers)} repeat buyers; {g.status})
      </Text>
      <Text size="sm">
        Holdout check: {int(Math.round(h.predicted))} purchases predicted, {int(h.actual)} made (
        {h.underPrediction > 0 ? `${percent(h.underPrediction, 0)} under` : `${percent(-h.underPrediction, 0)} over`}).
      </Text>
      {fit.problems.length ? (
        <List size="sm" c="orange.8" mt={4} data-testid="clv-problems">
          {fit.problems.map((p) => (
            <List.Item key={p}>{p}</List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm" c="teal.8">
          Passes every check.
        </Text>
      )}
    </Card>
  );
}

export default function Value() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const revalidator = useRevalidator();
  const fitting = !data.empty && !data.ready && data.fitting;
  useEffect(() => {
    if (!fitting) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 1500);
    return () => clearInterval(timer);
  }, [fitting, revalidator]);
  if (data.empty) return <EmptyState title="Customer value" />;
  if (!data.ready)
    return (
      <Stack gap="lg">
        <Title order={2}>Customer value</Title>
        {data.fitting ? (
          <Card withBorder data-testid="clv-fitting">
            <Group>
              <Loader size="sm" />
              <Text>
                Fitting… the customer-value models are being fitted on their own thread (capped at a few seconds per
                fit). This page shows them when they are ready.
              </Text>
            </Group>
          </Card>
        ) : (
          <Alert color="red" title="The customer-value models could not be fitted" data-testid="clv-failed">
            {data.error} Reload the page to try again.
          </Alert>
        )}
      </Stack>
    );
  const { fit, groups, top, by } = data;
  const usedFit = fit.fits.used ? fit.fits[fit.fits.used] : null;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Customer value</Title>
        <Text c="dimmed">
          Historical value, and the next year predicted by BG/NBD (repeat purchases) and Gamma-Gamma (value per
          purchase), fitted by maximum likelihood on the purchases up to the calibration end.
        </Text>
      </div>
      <Card withBorder>
        <Form method="get" onChange={(e) => submit(e.currentTarget, { replace: true })}>
          <input type="hidden" name="by" value={by} />
          <Group align="flex-end">
            <TextInput
              type="date"
              name="calibrationEnd"
              label="Calibration end"
              defaultValue={fit.calibrationEnd}
              max={fit.dataEnd}
              error={data.dateError}
            />
            <Text size="sm" c="dimmed">
              {int(fit.customers)} customers calibrate the models; the {fit.holdoutWeeks.toFixed(1)} weeks after it (to{" "}
              {fit.dataEnd}) check them. Fitted in {fit.seconds.toFixed(2)} s.
            </Text>
          </Group>
        </Form>
        <Text size="sm" mt="sm" data-testid="clv-parameters">
          {usedFit
            ? `BG/NBD: r ${num(usedFit.bgnbd.r)}, α ${num(usedFit.bgnbd.alpha)}, a ${num(usedFit.bgnbd.a)}, b ` +
              `${num(usedFit.bgnbd.b)} · Gamma-Gamma: p ${num(usedFit.gammaGamma.p)}, q ` +
              `${num(usedFit.gammaGamma.q)}, v ${num(usedFit.gammaGamma.v)}`
            : "No fit converged: no predictions."}
        </Text>
        {fit.fits.used !== "plain" || fit.fits.plain.problems.length ? (
          <Alert
            color={fit.fits.used ? "orange" : "red"}
            mt="sm"
            title={
              fit.fits.plain.problems.length ? "The maximum-likelihood fit has problems" : "The fit could not be used"
            }
            data-testid="clv-degenerate"
          >
            {fit.fits.reason}
          </Alert>
        ) : null}
        {fit.fits.warning ? (
          <Alert color="red" mt="sm" title="The predictions are unreliable" data-testid="clv-unreliable">
            {fit.fits.warning}
          </Alert>
        ) : null}
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="sm">
          <FitCard title="Maximum likelihood" fit={fit.fits.plain} used={fit.fits.used === "plain"} />
          <FitCard
            title={`Regularised: L2 penalty ${fit.fits.penalizer} × Σ (log θ)² on the mean log-likelihood`}
            fit={fit.fits.regularised}
            used={fit.fits.used === "regularised"}
          />
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <div>
            <Title order={4}>By {by}</Title>
            <Text size="xs" c="dimmed">
              {by === "segment"
                ? `Segments as of the calibration end, ${fit.segmentsAsOf} (RFM on the data up to it); `
                : "Personas as chosen now; "}
              revenue to date is up to {fit.calibrationEnd}.
            </Text>
          </div>
          <Group>
            <SegmentedControl
              size="xs"
              value={by}
              data={[
                { value: "segment", label: "Segments" },
                { value: "persona", label: "Personas" },
              ]}
              onChange={(v) =>
                submit({ by: v, calibrationEnd: params.get("calibrationEnd") ?? "" }, { method: "get", replace: true })
              }
            />
            <Anchor size="sm" href={`/api/clv?format=csv&calibrationEnd=${fit.calibrationEnd}`} download>
              clv_customers.csv
            </Anchor>
          </Group>
        </Group>
        <Text size="xs" c="dimmed" mb="xs" data-testid="palive-note">
          {P_ALIVE_NOTE}
        </Text>
        <Table striped fz="sm" data-testid="value-groups">
          <TableHead
            columns={[
              by === "segment" ? `Segment as of ${fit.segmentsAsOf}` : "Persona (current)",
              "Customers",
              `Revenue to ${fit.calibrationEnd}`,
              "Per active month",
              "Per order",
              "P(alive), repeat buyers",
              "Purchases 30 d",
              "90 d",
              "365 d",
              "Expected revenue 365 d",
            ]}
          />
          <Table.Tbody>
            {groups.map((g) => (
              <Table.Tr key={g.group}>
                <Table.Td fw={600}>{g.group}</Table.Td>
                <Table.Td>{int(g.customers)}</Table.Td>
                <Table.Td>{amount(g.revenue)}</Table.Td>
                <Table.Td>{amount(g.revenuePerActiveMonth)}</Table.Td>
                <Table.Td>{amount(g.revenuePerOrder)}</Table.Td>
                <Table.Td>{g.pAlive === null ? ONE_PURCHASE : percent(g.pAlive, 0)}</Table.Td>
                <Table.Td>{g.purchases30.toFixed(2)}</Table.Td>
                <Table.Td>{g.purchases90.toFixed(2)}</Table.Td>
                <Table.Td>{g.purchases365.toFixed(2)}</Table.Td>
                <Table.Td>{amount(g.revenue365)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section title="Holdout check">
          <Text size="xs" c="dimmed">
            Mean purchases after the calibration end, predicted against actual, by repeat purchases during calibration.
          </Text>
          <GroupedBars
            height={280}
            testId="chart-holdout"
            label="Holdout check"
            data={fit.holdout.map((h) => ({
              x: h.x,
              Predicted: Math.round(h.predicted * 1000) / 1000,
              Actual: Math.round(h.actual * 1000) / 1000,
            }))}
            series={{ Predicted: "#4c6ef5", Actual: "#12b886" }}
            indexBy="x"
            margin={{ top: 10, right: 100, bottom: 40, left: 50 }}
            axisBottom={{ legend: "repeat purchases in calibration", legendOffset: 32, legendPosition: "middle" }}
          />
        </Section>
        <Section title="Most valuable next year">
          <Table fz="xs" data-testid="value-top">
            <TableHead columns={["Customer", "Segment", "P(alive)", "365 d purchases", "Expected revenue"]} />
            <Table.Tbody>
              {top.map((c) => (
                <Table.Tr key={c.customerId}>
                  <Table.Td>
                    <Anchor href={`/customers/${encodeURIComponent(c.customerId)}`} size="xs">
                      {c.customerId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{c.segment}</Table.Td>
                  <Table.Td>{c.x === 0 ? ONE_PURCHASE : percent(c.pAlive, 0)}</Table.Td>
                  <Table.Td>{c.purchases365.toFixed(2)}</Table.Td>
                  <Table.Td>{amount(c.revenue365)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
