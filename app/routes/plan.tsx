import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useMemo, useState } from "react";
import { GroupedBars } from "~/components/charts/GroupedBars";
import { EmptyState } from "~/components/EmptyState";
import { amount, currencyCode, int, percent } from "~/components/format";
import { allocateBudget } from "~/planning/allocate";
import { bestMonths, planCandidates } from "~/planning/plan.server";
import { candidateSchema } from "~/planning/plan-input";
import { campaignRoi } from "~/planning/roi";
import { activeDataset } from "~/db/active.server";
import { campaignCosts, GROSS_MARGIN } from "~/planning/assumptions";
import { TableHead } from "~/components/TableHead";
import { Section } from "~/components/Section";

const CUSTOM = campaignCosts("custom");

export const meta: MetaFunction = () => [{ title: "Plan · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const borrow = new URL(request.url).searchParams.get("borrow") === "1";
  const { candidates, testFirst } = planCandidates(active.db, active.id, { borrow });
  return json({ empty: false as const, borrow, candidates, testFirst, months: bestMonths(active.db, active.id) });
}

type Figure = "audience" | "costPerContact" | "valuePerCustomer" | "liftPercent" | "marginPercent" | "discountPercent";

type Row = Record<Figure, number | string> & {
  include: boolean;
  name: string;
  source: string;
};

// The typed figures of a candidate row, in the table's column order, each with its input's width and bounds.
const FIGURES: { key: Figure; w: number; min?: number; max?: number; decimalScale?: number }[] = [
  { key: "audience", w: 80, min: 0 },
  { key: "costPerContact", w: 70, min: 0, decimalScale: 3 },
  { key: "valuePerCustomer", w: 90, min: 0, decimalScale: 2 },
  { key: "liftPercent", w: 65, decimalScale: 2 },
  { key: "marginPercent", w: 60, min: 0, max: 100 },
  { key: "discountPercent", w: 60, min: 0, max: 100 },
];

/** A row as the planner reads it: numbers, shares instead of percentages. */
const candidateOf = (r: Row) => ({
  name: r.name,
  audience: Number(r.audience),
  costPerContact: Number(r.costPerContact),
  valuePerCustomer: Number(r.valuePerCustomer),
  lift: Number(r.liftPercent) / 100,
  grossMargin: Number(r.marginPercent) / 100,
  discountShare: Number(r.discountPercent) / 100,
});

export default function Plan() {
  const data = useLoaderData<typeof loader>();
  const [budget, setBudget] = useState<number | string>(1000);
  const [rows, setRows] = useState<Row[]>(() =>
    data.empty
      ? []
      : data.candidates.map((c) => ({
          include: true,
          name: c.name,
          audience: c.audience,
          costPerContact: c.costPerContact,
          valuePerCustomer: c.valuePerCustomer,
          liftPercent: Math.round(c.lift * 10000) / 100,
          marginPercent: c.grossMargin * 100,
          discountPercent: c.discountShare * 100,
          source:
            `${c.learned.borrowed ? "BORROWED from other segments: " : ""}learned from ` +
            `${c.learned.experiments.length} experiment${c.learned.experiments.length > 1 ? "s" : ""}, shrunk ` +
            `from ${percent(c.learned.raw.estimate, 1)} (interval ${percent(c.learned.ci[0], 1)} to ` +
            `${percent(c.learned.ci[1], 1)}; profit ${amount(c.profitRange[0])} to ${amount(c.profitRange[1])})`,
        })),
  );
  const set = (i: number, key: keyof Row) => (value: unknown) =>
    setRows((old) => old.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const computed = useMemo(() => {
    const candidates = rows.filter((r) => r.include).map(candidateOf);
    const problems = candidates.flatMap((c) => {
      const p = candidateSchema.safeParse(c);
      return p.success
        ? []
        : [`${c.name}: ${p.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join(", ")}`];
    });
    if (problems.length || !(Number(budget) >= 0))
      return { problems: problems.length ? problems : ["the budget must be a number ≥ 0"], candidates };
    return { problems, candidates, result: allocateBudget(Number(budget), candidates) };
  }, [rows, budget]);
  if (data.empty) return <EmptyState title="Plan" />;
  const result = "result" in computed ? computed.result : null;
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Plan the next budget</Title>
        <Text c="dimmed">
          Candidate campaigns on your segments and on the audience of every completed experiment, with audience sizes
          and values from history and lifts learned from completed experiments with real results, shrunk toward 0 by how
          much the experiments' lifts really vary (empirical Bayes), with their interval. A campaign without a learned
          lift is never funded: test it first. The allocation funds the best profit per unit of budget first, each up to
          its audience: exact, because profit is linear in the contacts.
        </Text>
      </div>
      <Card withBorder>
        <Group align="flex-end">
          <NumberInput
            label={currencyCode() ? `Budget (${currencyCode()})` : "Budget"}
            value={budget}
            onChange={setBudget}
            min={0}
            thousandSeparator=","
            w={200}
          />
          <Text size="sm" c="dimmed">
            Best months to run (revenue per active customer; months the data covers only in part left out):{" "}
            {data.months.map((m) => `${m.month} (${amount(m.revenuePerCustomer)})`).join(", ")}
          </Text>
        </Group>
      </Card>
      {data.testFirst.length > 0 && (
        <Card withBorder data-testid="plan-test-first">
          <Group justify="space-between">
            <Title order={4}>Test first: no learned lift, never funded</Title>
            <Group gap="md">
              <Anchor
                component={Link}
                to={data.borrow ? "/plan" : "/plan?borrow=1"}
                size="sm"
                data-testid="borrow-toggle"
              >
                {data.borrow ? "Use each segment's own lifts only" : "Borrow lifts learned on other segments"}
              </Anchor>
              <Anchor href={`/api/plan/learned.csv${data.borrow ? "?borrow=1" : ""}`} size="sm" download>
                Download CSV
              </Anchor>
            </Group>
          </Group>
          <Table fz="xs" mt="xs">
            <TableHead
              columns={[
                "Campaign",
                "Audience",
                "Value / customer",
                "Break-even lift",
                "Test sizing",
                "Customers per arm",
                "Test size",
                "",
              ]}
            />
            <Table.Tbody>
              {data.testFirst.map((t) => (
                <Table.Tr key={t.name}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{int(t.audience)}</Table.Td>
                  <Table.Td>{amount(t.valuePerCustomer)}</Table.Td>
                  <Table.Td>{t.breakEvenLift === null ? "none" : percent(t.breakEvenLift, 1)}</Table.Td>
                  <Table.Td data-testid="test-first-note">{t.note}</Table.Td>
                  <Table.Td>{t.perArm === null ? "–" : int(t.perArm)}</Table.Td>
                  <Table.Td>
                    {t.total === null ? (
                      "not computable"
                    ) : t.fits ? (
                      `${int(t.total)} of ${int(t.audience)}`
                    ) : (
                      <Text size="xs" c="orange.8">
                        {int(t.total)}: more than the {int(t.audience)} in the segment
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/experiments/new?segment=${encodeURIComponent(t.segment)}&campaign=${encodeURIComponent(t.campaignType)}`}
                      size="xs"
                    >
                      Design a test
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <Section
        title={<>Candidates and their ROI (whole audience){data.borrow ? " — borrowing lifts across segments" : ""}</>}
      >
        {/* issue 14: thirteen columns overflowed the card; the table scrolls sideways within it */}
        <Table.ScrollContainer minWidth={1250}>
          <Table fz="xs" data-testid="plan-candidates">
            <TableHead
              columns={[
                "",
                "Campaign",
                "Audience",
                "Cost / contact",
                "Value / customer (30 d)",
                "Lift %",
                "Margin %",
                "Discount %",
                "Lift source",
                "Profit",
                "ROI",
                "Break-even lift",
                "Payback",
              ]}
            />
            <Table.Tbody>
              {rows.map((r, i) => {
                const c = candidateOf(r);
                const roi = campaignRoi({
                  audience: c.audience,
                  baselineValue: c.valuePerCustomer,
                  lift: c.lift,
                  costPerContact: c.costPerContact,
                  discountShare: c.discountShare,
                  grossMargin: c.grossMargin,
                  windowDays: 30,
                });
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      <Checkbox
                        checked={r.include}
                        onChange={(e) => set(i, "include")(e.currentTarget.checked)}
                        aria-label={`Include ${r.name}`}
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        value={r.name}
                        onChange={(e) => set(i, "name")(e.currentTarget.value)}
                        w={220}
                      />
                    </Table.Td>
                    {FIGURES.map(({ key, ...input }) => (
                      <Table.Td key={key}>
                        <NumberInput
                          size="xs"
                          value={r[key]}
                          onChange={set(i, key)}
                          {...input}
                          hideControls
                          aria-label={key === "liftPercent" ? `Lift for ${r.name}` : undefined}
                        />
                      </Table.Td>
                    ))}
                    <Table.Td>
                      {r.source === "typed" ? (
                        <Badge size="xs" color="gray">
                          typed by you
                        </Badge>
                      ) : (
                        <Text size="xs" c={r.source.startsWith("BORROWED") ? "orange.8" : undefined}>
                          {r.source}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{amount(roi.profit)}</Table.Td>
                    <Table.Td>{roi.roi === null ? "–" : percent(roi.roi, 0)}</Table.Td>
                    <Table.Td>{roi.breakEvenLift === null ? "–" : percent(roi.breakEvenLift, 1)}</Table.Td>
                    <Table.Td>{roi.paybackDays === null ? "never" : `${Math.ceil(roi.paybackDays)} d`}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Button
          size="xs"
          variant="light"
          mt="sm"
          onClick={() =>
            setRows([
              ...rows,
              {
                include: true,
                name: `Custom ${rows.length + 1}`,
                audience: 1000,
                costPerContact: CUSTOM.costPerContact,
                valuePerCustomer: 20,
                liftPercent: 0,
                marginPercent: GROSS_MARGIN * 100,
                discountPercent: CUSTOM.discountShare * 100,
                source: "typed",
              },
            ])
          }
        >
          Add a candidate
        </Button>
      </Section>
      {computed.problems.length > 0 && <Alert color="red">{computed.problems.join("; ")}</Alert>}
      {result && (
        <Card withBorder data-testid="plan-allocation">
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              Allocation: spend {amount(result.spend)} of {amount(Number(budget))}, expected incremental profit{" "}
              {amount(result.expectedProfit)}
            </Title>
            <Form method="post" action="/api/plan?format=csv" reloadDocument>
              <input
                type="hidden"
                name="payload"
                value={JSON.stringify({ budget: Number(budget), candidates: computed.candidates })}
              />
              <Button type="submit" size="xs" variant="subtle">
                Download CSV
              </Button>
            </Form>
          </Group>
          {result.allocations.length === 0 ? (
            <Text size="sm">
              Nothing is funded yet: no candidate has a lift that pays. Test the campaigns above first, or add a
              candidate with the lift you expect.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Table fz="sm">
                <TableHead columns={["Campaign", "Contacts", "Spend", "Expected profit", "Profit / spend"]} />
                <Table.Tbody>
                  {result.allocations.map((a) => (
                    <Table.Tr key={a.name}>
                      <Table.Td>{a.name}</Table.Td>
                      <Table.Td>{int(a.contacts)}</Table.Td>
                      <Table.Td>{amount(a.spend)}</Table.Td>
                      <Table.Td>{amount(a.expectedProfit)}</Table.Td>
                      <Table.Td>{a.returnPerSpend === null ? "–" : a.returnPerSpend.toFixed(2)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <GroupedBars
                height={Math.max(200, result.allocations.length * 28 + 50)}
                testId="chart-plan"
                label="Allocation"
                horizontal
                data={[...result.allocations].reverse().map((a) => ({
                  campaign: a.name,
                  spend: Math.round(a.spend * 100) / 100,
                  profit: Math.round(a.expectedProfit * 100) / 100,
                }))}
                series={{ spend: "#fa5252", profit: "#12b886" }}
                indexBy="campaign"
                margin={{ top: 5, right: 90, bottom: 30, left: 230 }}
                barLabel={(d) => `${d.id}, ${d.indexValue}: ${amount(Number(d.value))}`}
              />
            </SimpleGrid>
          )}
          <Text size="xs" c="dimmed" mt="xs">
            Profit per contact = value × lift × margin − discount × value × (1 + lift) − cost per contact. See also{" "}
            <Anchor component={Link} to="/value" size="xs">
              customer value
            </Anchor>{" "}
            and{" "}
            <Anchor component={Link} to="/recommendations" size="xs">
              recommendations
            </Anchor>
            .
          </Text>
        </Card>
      )}
    </Stack>
  );
}
