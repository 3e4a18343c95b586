import { Anchor, Badge, Card, NumberInput, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { EmptyState } from "~/components/EmptyState";
import { amount, int, percent, plural } from "~/components/format";
import { StatCard } from "~/components/Stat";
import { backtest } from "~/experiments/backtest";
import { historyOf } from "~/experiments/history.server";
import { CAMPAIGN_TYPES, WINDOWS } from "~/experiments/design";
import { learnedLift, planCandidates } from "~/planning/plan.server";
import { campaignRoi } from "~/planning/roi";
import { activeDataset } from "~/db/active.server";
import { audienceSize } from "~/segments/audiences.server";
import { SEGMENTS } from "~/segments/rfm";
import { campaignCosts, GROSS_MARGIN } from "~/planning/assumptions";

export const meta: MetaFunction = () => [{ title: "Campaign ROI · Campaign Lab" }];

const DEFAULT_CAMPAIGN = "reactivation discount";
const DEFAULT_COSTS = campaignCosts(DEFAULT_CAMPAIGN);

const querySchema = z.object({
  segment: z.enum(SEGMENTS).default("At Risk"),
  campaign: z.enum(CAMPAIGN_TYPES).default(DEFAULT_CAMPAIGN),
  window: z.coerce
    .number()
    .pipe(z.union([z.literal(7), z.literal(30), z.literal(60), z.literal(90)]))
    .default(30),
  borrow: z.enum(["0", "1"]).default("0"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const parsed = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const q = parsed.success ? parsed.data : querySchema.parse({});
  const size = audienceSize(active.db, active.id, { kind: "segment", segment: q.segment });
  const b = backtest(
    historyOf(active.db, active.id),
    { kind: "segment", segment: q.segment },
    q.window,
    undefined,
    null,
  );
  return json({
    empty: false as const,
    q,
    audience: size.customers,
    value: b.baselines.revenueMean ?? 0,
    backtest: { referenceDate: b.referenceDate, members: b.members },
    learned: learnedLift(active.db, active.id, q.campaign, q.segment, { borrow: q.borrow === "1" }),
    testFirst:
      planCandidates(active.db, active.id, { windowDays: q.window }).testFirst.find(
        (t) => t.segment === q.segment && t.campaignType === q.campaign,
      ) ?? null,
  });
}

export default function Roi() {
  const data = useLoaderData<typeof loader>();
  const [, setParams] = useSearchParams();
  const [cost, setCost] = useState<number | string>(DEFAULT_COSTS.costPerContact);
  const [discount, setDiscount] = useState<number | string>(DEFAULT_COSTS.discountShare * 100);
  const [margin, setMargin] = useState<number | string>(GROSS_MARGIN * 100);
  const [typed, setTyped] = useState<number | string>("");
  if (data.empty) return <EmptyState title="Campaign ROI" />;
  // no assumed lift (issue #11): the learned one, or a hypothetical the user types, marked as such
  const lift = data.learned ? data.learned.estimate : typed === "" ? null : (Number(typed) || 0) / 100;
  const roiAt = (l: number) =>
    campaignRoi({
      audience: data.audience,
      baselineValue: data.value,
      lift: l,
      costPerContact: Number(cost) || 0,
      discountShare: (Number(discount) || 0) / 100,
      grossMargin: (Number(margin) || 0) / 100,
      windowDays: data.q.window,
    });
  const r = roiAt(lift ?? 0);
  const range = data.learned ? [roiAt(data.learned.ci[0]).profit, roiAt(data.learned.ci[1]).profit] : null;
  const change = (key: string) => (v: string | null) => v && setParams((p) => (p.set(key, v), p), { replace: true });
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Campaign ROI</Title>
        <Text c="dimmed">
          Expected incremental revenue = audience × value per customer (back-tested) × expected lift; profit after
          margin, discount and contact costs.{" "}
          <Anchor component={Link} to="/plan">
            Plan a budget across campaigns →
          </Anchor>
        </Text>
      </div>
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Select
            label="Audience (segment)"
            data={[...SEGMENTS]}
            value={data.q.segment}
            onChange={change("segment")}
            allowDeselect={false}
          />
          <Select
            label="Campaign type"
            data={[...CAMPAIGN_TYPES]}
            value={data.q.campaign}
            onChange={change("campaign")}
            allowDeselect={false}
          />
          <Select
            label="Window (days)"
            data={WINDOWS.map(String)}
            value={String(data.q.window)}
            onChange={change("window")}
            allowDeselect={false}
          />
          <NumberInput label="Cost per contact" value={cost} onChange={setCost} min={0} decimalScale={3} />
          <NumberInput label="Discount (% of order value)" value={discount} onChange={setDiscount} min={0} max={100} />
          <NumberInput label="Gross margin (%)" value={margin} onChange={setMargin} min={0} max={100} />
          {!data.learned && (
            <NumberInput
              label="What if the lift were (%)"
              value={typed}
              onChange={setTyped}
              decimalScale={2}
              placeholder="type a lift"
            />
          )}
        </SimpleGrid>
        <Text size="sm" mt="sm" data-testid="roi-inputs">
          {int(data.audience)} customers; {amount(data.value)} revenue per customer over {data.q.window} days (back-test
          as of {data.backtest.referenceDate}, {int(data.backtest.members)} members);{" "}
          {data.learned ? (
            <>
              expected lift <b>{percent(lift, 1)}</b>{" "}
              {data.learned.borrowed && (
                <Badge size="xs" color="orange">
                  borrowed from other segments
                </Badge>
              )}{" "}
              learned from {data.learned.experiments.map((e) => e.name).join(", ")}, shrunk from{" "}
              {percent(data.learned.raw.estimate, 1)} toward 0 (interval {percent(data.learned.ci[0], 1)} to{" "}
              {percent(data.learned.ci[1], 1)}); profit {amount(range![0])} to {amount(range![1])}.
            </>
          ) : (
            <>
              no lift learned for {data.q.campaign} on {data.q.segment} yet: <b>test first</b>
              {data.testFirst
                ? ` — ${data.testFirst.note}${data.testFirst.perArm ? ` (${data.testFirst.fits ? "the segment is big enough" : `more than the ${int(data.audience)} in the segment`})` : ""}`
                : ""}
              {lift !== null ? `; figures below use the lift you typed, ${percent(lift, 1)}` : ""}.{" "}
              <Anchor
                component={Link}
                to={`?segment=${encodeURIComponent(data.q.segment)}&campaign=${encodeURIComponent(data.q.campaign)}&window=${data.q.window}&borrow=${data.q.borrow === "1" ? "0" : "1"}`}
                data-testid="roi-borrow"
              >
                {data.q.borrow === "1" ? "Don't borrow" : "Borrow a lift learned on other segments"}
              </Anchor>
            </>
          )}
        </Text>
      </Card>
      {lift !== null && (
        <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="roi-results">
          {[
            ["Incremental revenue", amount(r.incrementalRevenue)],
            ["Profit", amount(r.profit)],
            ["ROI", r.roi === null ? "–" : percent(r.roi, 0)],
            ["Break-even lift", r.breakEvenLift === null ? "none" : percent(r.breakEvenLift, 1)],
            ["Contact cost", amount(r.contactCost)],
            ["Discount cost", amount(r.discountCost)],
            ["Incremental margin", amount(r.incrementalMargin)],
            ["Payback", r.paybackDays === null ? "never" : plural(Math.ceil(r.paybackDays), "day")],
          ].map(([label, value]) => (
            <StatCard key={label} label={label} value={value} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
