import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import { Form, useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { DEFAULT_DESIGN } from "~/experiments/design-form";
import { CAMPAIGN_TYPES, METRIC_LABELS, PRIMARY_METRICS, WINDOWS, type Design } from "~/experiments/design";
import { ENGINE_LABELS, ENGINES } from "~/experiments/stats/engines";
import type { DesignPreview, ExperimentBaselines } from "~/experiments/experiments.server";
import { SEGMENTS } from "~/segments/rfm";
import { campaignRoi } from "~/planning/roi";
import { amount, effectText, int, percent, plural } from "./format";
import { Stat } from "./Stat";
import { ALPHA_INPUT, POWER_INPUT, SIDES_OPTIONS, type NumberBounds } from "./stat-inputs";
import { Section } from "./Section";

type Options = { personas: { k: number; cluster: number; name: string }[]; saved: { id: number; name: string }[] };
type Learned = { estimate: number; ci: [number, number]; experiments: { id: number; name: string }[] } | null;
type Props = {
  design: Design;
  options: Options;
  errors: Record<string, string>;
  readOnly: boolean;
  preview: DesignPreview | null;
  learned: Learned;
  submitLabel: string;
  /** A new blank form: its audience and settings are starting values the user has not chosen yet. */
  fresh?: boolean;
};

const pct = (share: number) => Math.round(share * 10000) / 100;

/** The experiment design form with its live panel (audience size, baselines from history, power analysis). */
export function ExperimentEditor({
  design,
  options,
  errors,
  readOnly,
  preview: initial,
  learned: initialLearned,
  submitLabel,
  fresh = false,
}: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const fetcher = useFetcher<{ preview?: DesignPreview; learned?: Learned; errors?: Record<string, string> }>();
  const [metric, setMetric] = useState(design.primaryMetric);
  const [audienceKind, setAudienceKind] = useState(design.audience.kind);
  const [arms, setArms] = useState(design.arms.map((a) => ({ name: a.name, share: pct(a.share) as number | string })));
  const [relative, setRelative] = useState(design.stats.relative);
  const [method, setMethod] = useState(design.stats.method);
  const relativeRef = useRef(relative);
  relativeRef.current = relative;
  const metricRef = useRef(metric);
  metricRef.current = metric;
  const [engine, setEngine] = useState(design.stats.engine);
  const [properPrior, setProperPrior] = useState(design.stats.prior.proper);
  const [persona, setPersona] = useState<string | null>(
    design.audience.kind === "persona"
      ? String(design.audience.cluster)
      : options.personas[0]
        ? String(options.personas[0].cluster)
        : null,
  );
  const [liveMde, setLiveMde] = useState(design.stats.mde);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const refresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!formRef.current) return;
      // the ROI card follows the MDE as typed (issue 16 item 8), in the design's units (a share when relative)
      const typed = Number(String(new FormData(formRef.current).get("mde") ?? "").replace(/[,%\s]/g, ""));
      if (Number.isFinite(typed) && typed > 0)
        setLiveMde(relativeRef.current || metricRef.current === "conversion" ? typed / 100 : typed);
      fetcher.submit(formRef.current, { method: "post", action: "/api/experiments/preview" });
    }, 250);
  };
  // until the user changes something, a blank form's warnings would blame them for defaults they never picked
  const [chosen, setChosen] = useState(!fresh);
  const edit = () => (setChosen(true), refresh());
  const firstRun = useRef(true);
  useEffect(() => {
    if (!firstRun.current) setChosen(true);
    firstRun.current = false;
    refresh();
  }, [metric, audienceKind, arms, relative, method, persona]); // eslint-disable-line react-hooks/exhaustive-deps
  const preview = fetcher.data?.preview ?? (fetcher.data?.errors ? null : initial);
  const liveErrors = { ...(fetcher.data?.errors ?? {}), ...errors };
  const chosenPersona = options.personas.find((p) => String(p.cluster) === persona);
  const d = design;
  const shareTotal = arms.reduce((s, a) => s + (Number(a.share) || 0), 0);
  const setMetricAndMethod = (m: Design["primaryMetric"]) => {
    setMetric(m);
    setMethod(m === "conversion" ? (method === "arcsine" ? "arcsine" : "pooled") : method === "z" ? "z" : "t");
  };
  // one typed number of the design, with the error the server or the live preview gave for it
  const numberField = (name: string, label: string, defaultValue: number, bounds: NumberBounds) => (
    <NumberInput name={name} label={label} defaultValue={defaultValue} {...bounds} error={liveErrors[name]} />
  );
  const guard = (metricName: "refund_rate" | "aov") => d.guardrails.find((g) => g.metric === metricName);
  return (
    <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
      <Form method="post" ref={formRef} onChange={edit} data-testid="experiment-form">
        <input type="hidden" name="intent" value="save" />
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            {liveErrors.form && <Alert color="red">{liveErrors.form}</Alert>}
            <Card withBorder>
              <Stack gap="sm">
                <TextInput name="name" label="Name" defaultValue={d.name} error={errors.name} required />
                <Select
                  name="campaignType"
                  label="Campaign type"
                  data={[...CAMPAIGN_TYPES]}
                  defaultValue={d.campaignType}
                  allowDeselect={false}
                  error={liveErrors.campaignType}
                />
                <Textarea
                  name="hypothesis"
                  label="Hypothesis"
                  defaultValue={d.hypothesis}
                  autosize
                  minRows={2}
                  placeholder="A 15% discount brings back At Risk customers within 30 days…"
                  error={liveErrors.hypothesis}
                />
              </Stack>
            </Card>
            <Section title="Audience" order={5}>
              <input type="hidden" name="audienceKind" value={audienceKind} />
              <SegmentedControl
                value={audienceKind}
                onChange={(v) => setAudienceKind(v as typeof audienceKind)}
                mb="sm"
                disabled={readOnly}
                data={[
                  { value: "segment", label: "Segment" },
                  { value: "persona", label: "Persona" },
                  { value: "audience", label: "Saved audience", disabled: options.saved.length === 0 },
                ]}
              />
              {audienceKind === "segment" && (
                <Select
                  name="segment"
                  label="Segment"
                  data={[...SEGMENTS]}
                  defaultValue={d.audience.kind === "segment" ? d.audience.segment : "At Risk"}
                  allowDeselect={false}
                  onChange={edit}
                />
              )}
              {audienceKind === "persona" && (
                <>
                  <input type="hidden" name="personaK" value={chosenPersona?.k ?? ""} />
                  <input type="hidden" name="personaName" value={chosenPersona?.name ?? ""} />
                  <Select
                    name="personaCluster"
                    label="Persona"
                    data={options.personas.map((p) => ({ value: String(p.cluster), label: p.name }))}
                    value={persona}
                    onChange={setPersona}
                    allowDeselect={false}
                  />
                </>
              )}
              {audienceKind === "audience" && (
                <Select
                  name="audienceId"
                  label="Saved audience"
                  data={options.saved.map((a) => ({ value: String(a.id), label: a.name }))}
                  defaultValue={
                    d.audience.kind === "audience"
                      ? String(d.audience.id)
                      : options.saved[0]
                        ? String(options.saved[0].id)
                        : null
                  }
                  allowDeselect={false}
                  onChange={edit}
                />
              )}
              {liveErrors.audience && (
                <Text c="red" size="sm">
                  {liveErrors.audience}
                </Text>
              )}
            </Section>
            <Card withBorder>
              <Group justify="space-between" mb="xs">
                <Title order={5}>Arms</Title>
                <Text size="sm" c={Math.abs(shareTotal - 100) < 1e-6 ? "dimmed" : "red"}>
                  Allocation {shareTotal}% of 100%
                </Text>
              </Group>
              <Stack gap="xs">
                {arms.map((arm, i) => (
                  <Group key={i} align="flex-start">
                    <TextInput
                      name="armName"
                      aria-label={`Arm ${i + 1} name`}
                      value={arm.name}
                      onChange={(e) =>
                        setArms(arms.map((a, j) => (j === i ? { ...a, name: e.currentTarget.value } : a)))
                      }
                      error={liveErrors[`arm${i}Name`]}
                      w={220}
                    />
                    <NumberInput
                      name="armShare"
                      aria-label={`Arm ${i + 1} share (%)`}
                      value={arm.share}
                      onChange={(v) => setArms(arms.map((a, j) => (j === i ? { ...a, share: v } : a)))}
                      suffix="%"
                      min={1}
                      max={99}
                      decimalScale={2}
                      w={120}
                      error={liveErrors[`arm${i}Share`]}
                    />
                    <Text size="sm" mt={6} c="dimmed">
                      {i === 0 ? "control" : "treatment"}
                    </Text>
                    {i >= 2 && !readOnly && (
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        mt={4}
                        aria-label="Remove arm"
                        onClick={() => setArms(arms.filter((_, j) => j !== i))}
                      >
                        ✕
                      </ActionIcon>
                    )}
                  </Group>
                ))}
              </Stack>
              {liveErrors.arms && (
                <Text c="red" size="sm" mt="xs">
                  {liveErrors.arms}
                </Text>
              )}
              {arms.length < 5 && !readOnly && (
                <Button
                  size="xs"
                  variant="light"
                  mt="sm"
                  onClick={() => {
                    const n = arms.length + 1;
                    setArms(
                      Array.from({ length: n }, (_, j) => ({
                        name: j === 0 ? arms[0].name : (arms[j]?.name ?? `Treatment ${String.fromCharCode(64 + j)}`),
                        share: Math.round((100 / n) * 100) / 100,
                      })),
                    );
                  }}
                >
                  Add a treatment
                </Button>
              )}
            </Card>
            <Card withBorder>
              <Stack gap="sm">
                <Group grow>
                  <Select
                    name="primaryMetric"
                    label="Primary metric"
                    data={PRIMARY_METRICS.map((m) => ({ value: m, label: METRIC_LABELS[m] }))}
                    value={metric}
                    onChange={(v) => v && setMetricAndMethod(v as Design["primaryMetric"])}
                    allowDeselect={false}
                  />
                  <Select
                    name="windowDays"
                    label="Window W (days)"
                    data={WINDOWS.map((w) => String(w))}
                    defaultValue={String(d.windowDays)}
                    allowDeselect={false}
                    onChange={edit}
                  />
                  <TextInput
                    name="referenceDate"
                    label="Back-test reference day T"
                    type="date"
                    defaultValue={d.referenceDate ?? ""}
                    description="default: last day − W"
                    error={liveErrors.referenceDate}
                  />
                </Group>
                <Text fw={600} size="sm">
                  Guardrails (non-inferiority margins, relative)
                </Text>
                {GUARDRAIL_FIELDS.map((g) => (
                  <Group key={g.metric}>
                    <Checkbox name={g.check} label={g.label} defaultChecked={!!guard(g.metric)} />
                    <NumberInput
                      name={g.margin}
                      aria-label={g.marginLabel}
                      defaultValue={pct(
                        (guard(g.metric) ?? DEFAULT_DESIGN.guardrails.find((d) => d.metric === g.metric))!.margin,
                      )}
                      suffix="%"
                      w={100}
                      min={0.1}
                      max={100}
                    />
                  </Group>
                ))}
                {liveErrors.guardrails && (
                  <Text c="red" size="sm">
                    {liveErrors.guardrails}
                  </Text>
                )}
                {preview?.guardrailPower.map((g) => (
                  <Text
                    key={g.metric}
                    size="sm"
                    c={chosen && g.power !== null && g.power < 0.5 ? "orange.8" : "dimmed"}
                    data-testid={`guardrail-power-${g.metric}`}
                  >
                    {g.metric === "refund_rate" ? "Refund-rate" : "AOV"} guardrail:{" "}
                    {g.power === null
                      ? `power not computable (${g.reason})`
                      : `power ${percent(g.power, 0)} to show it stays within its ${percent(g.margin, 1)} margin with ${int(g.perArm!)} per arm`}
                    {g.power !== null &&
                      g.power < 0.5 &&
                      " — below 50%: this guardrail will rarely pass; widen the margin or enlarge the test."}
                  </Text>
                ))}
              </Stack>
            </Card>
            <Section title="Statistical settings" order={5}>
              <SimpleGrid cols={{ base: 2, md: 3 }}>
                {numberField("alpha", "α", d.stats.alpha, ALPHA_INPUT)}
                {numberField("power", "Power", d.stats.power, POWER_INPUT)}
                <Select
                  name="sides"
                  label="Test"
                  data={SIDES_OPTIONS}
                  defaultValue={String(d.stats.sides)}
                  allowDeselect={false}
                  onChange={edit}
                />
                {numberField(
                  "mde",
                  relative
                    ? "MDE (% relative)"
                    : metric === "conversion"
                      ? "MDE (percentage points)"
                      : "MDE (absolute)",
                  d.stats.relative || metric === "conversion" ? pct(d.stats.mde) : d.stats.mde,
                  { decimalScale: 4, min: 0 },
                )}
                <input type="hidden" name="mdeUnit" value={relative ? "relative" : "absolute"} />
                <SegmentedControl
                  value={relative ? "relative" : "absolute"}
                  onChange={(v) => setRelative(v === "relative")}
                  data={[
                    { value: "relative", label: "Relative" },
                    { value: "absolute", label: "Absolute" },
                  ]}
                  mt="lg"
                  disabled={readOnly}
                />
                <Select
                  name="method"
                  label="Method"
                  value={method}
                  onChange={(v) => v && setMethod(v as Design["stats"]["method"])}
                  allowDeselect={false}
                  error={liveErrors.method}
                  data={
                    metric === "conversion"
                      ? [
                          { value: "pooled", label: "z-test, pooled (default)" },
                          { value: "arcsine", label: "arcsine (Cohen's h)" },
                        ]
                      : [
                          { value: "t", label: "t-test, noncentral t (default)" },
                          { value: "z", label: "z (normal)" },
                        ]
                  }
                />
                <Select
                  name="engine"
                  label="Analysis engine"
                  value={engine}
                  onChange={(v) => v && (setEngine(v as Design["stats"]["engine"]), edit())}
                  allowDeselect={false}
                  error={liveErrors.engine}
                  data={ENGINES.map((e) => ({
                    value: e,
                    label: e === "fixed" ? `${ENGINE_LABELS[e]} (default)` : ENGINE_LABELS[e],
                  }))}
                />
                {engine === "sequential" &&
                  numberField("tuning", "Tuning N* (expected customers in all)", d.stats.tuning, {
                    min: 100,
                    max: 10_000_000,
                    step: 500,
                  })}
                {engine === "bayesian" && (
                  <>
                    <Checkbox
                      name="priorProper"
                      label="Proper prior on the lift (default: flat)"
                      checked={properPrior}
                      onChange={(e) => setProperPrior(e.currentTarget.checked)}
                      mt="lg"
                    />
                    {properPrior &&
                      numberField("priorMean", "Prior mean of the lift (%)", pct(d.stats.prior.mean), {
                        decimalScale: 2,
                      })}
                    {properPrior &&
                      numberField("priorSd", "Prior sd of the lift (%)", pct(d.stats.prior.sd), {
                        decimalScale: 2,
                        min: 0.01,
                      })}
                  </>
                )}
              </SimpleGrid>
              <Text size="xs" c="dimmed" mt="xs">
                {engine === "fixed"
                  ? "Read once, at the planned size: looking earlier inflates false positives."
                  : engine === "sequential"
                    ? "Always-valid intervals: safe to look at any time; N* is the sample size at which they are tightest (default 5,000)."
                    : "Chance to win, credible interval and expected loss; the proper prior N(0, 30%²) pulls small noisy lifts toward 0."}
              </Text>
            </Section>
            <BaselineOverrides design={d} metric={metric} errors={liveErrors} preview={preview} />
            {!readOnly && (
              <Group>
                <Button type="submit">{submitLabel}</Button>
              </Group>
            )}
          </Stack>
        </fieldset>
      </Form>
      <Stack gap="md">
        <PreviewPanel preview={preview} metric={metric} loading={fetcher.state !== "idle"} startingValues={!chosen} />
        {preview && (
          <RoiCard
            preview={preview}
            learned={fetcher.data ? (fetcher.data.learned ?? null) : initialLearned}
            mde={{ ...design.stats, mde: liveMde, relative }}
          />
        )}
      </Stack>
    </SimpleGrid>
  );
}

// The guardrails a design may hold: the box that adds one and its margin's field (read by experiments/design-form.ts);
// an unchecked one shows the default design's margin.
const GUARDRAIL_FIELDS = [
  {
    metric: "refund_rate",
    check: "guardRefund",
    label: "Refund rate may not rise more than",
    margin: "refundMargin",
    marginLabel: "Refund rate margin (%)",
  },
  {
    metric: "aov",
    check: "guardAov",
    label: "AOV may not fall more than",
    margin: "aovMargin",
    marginLabel: "AOV margin (%)",
  },
] as const;

// The baselines a user may type, in the form's order: a share is typed in percent; `metric`: asked only for that metric.
const BASELINE_FIELDS: {
  key: keyof ExperimentBaselines["used"];
  name: string;
  label: string;
  share: boolean;
  metric?: Design["primaryMetric"];
}[] = [
  { key: "conversion", name: "bConversion", label: "Conversion (%)", share: true, metric: "conversion" },
  { key: "revenueMean", name: "bRevenueMean", label: "Revenue per customer", share: false, metric: "revenue" },
  { key: "revenueSd", name: "bRevenueSd", label: "Its standard deviation", share: false, metric: "revenue" },
  { key: "aov", name: "bAov", label: "AOV", share: false, metric: "aov" },
  { key: "aovSd", name: "bAovSd", label: "AOV sd per customer", share: false, metric: "aov" },
  { key: "refundRate", name: "bRefundRate", label: "Refund rate (%)", share: true },
];

function BaselineOverrides({
  design,
  metric,
  errors,
  preview,
}: {
  design: Design;
  metric: Design["primaryMetric"];
  errors: Record<string, string>;
  preview: DesignPreview | null;
}) {
  const b = design.baselines;
  const measured = preview?.baselines.baselines;
  const hint = (v: number | null | undefined, format: (x: number) => string) =>
    v === null || v === undefined ? "no value measured" : `measured ${format(v)}`;
  return (
    <Card withBorder>
      <Title order={5}>Baselines typed by you</Title>
      <Text size="xs" c="dimmed" mb="xs">
        Leave empty to use the values measured from history (right); a typed value is marked “typed”.
      </Text>
      <SimpleGrid cols={{ base: 2, md: 3 }}>
        {BASELINE_FIELDS.filter((field) => !field.metric || field.metric === metric).map(
          ({ key, name, label, share }) => {
            const typed = b[key];
            return (
              <NumberInput
                key={name}
                name={name}
                label={label}
                defaultValue={share ? (typed !== undefined ? pct(typed) : "") : (typed ?? "")}
                description={hint(measured?.[key], share ? (x) => percent(x, 2) : amount)}
                decimalScale={share ? 4 : 2}
                error={errors[name]}
              />
            );
          },
        )}
      </SimpleGrid>
    </Card>
  );
}

export function PreviewPanel({
  preview,
  metric,
  loading,
  startingValues = false,
  arms,
  closed = false,
}: {
  preview: DesignPreview | null;
  metric: Design["primaryMetric"];
  loading: boolean;
  startingValues?: boolean;
  /** the arms' names, to name the assigned sizes of a started experiment */
  arms?: string[];
  /** completed or archived: the planning alerts (audience too small) no longer apply */
  closed?: boolean;
}) {
  if (!preview)
    return (
      <Card withBorder>
        <Text c="dimmed">Fix the highlighted fields to see the audience, its baselines and the sample size.</Text>
      </Card>
    );
  const { audience, baselines, power } = preview;
  const u = baselines.used;
  const row = (label: string, value: { value: number | null; typed: boolean }, format: (x: number) => string) => (
    <Table.Tr key={label}>
      <Table.Td>{label}</Table.Td>
      <Table.Td ta="right">{value.value === null ? "–" : format(value.value)}</Table.Td>
      <Table.Td>
        {value.typed ? (
          <Badge size="xs" color="orange">
            typed
          </Badge>
        ) : (
          <Badge size="xs" variant="light">
            history
          </Badge>
        )}
      </Table.Td>
    </Table.Tr>
  );
  const r = power.result;
  const assigned = power.assigned;
  const effect = (x: number) => effectText(x, metric === "conversion" ? "proportion" : "mean");
  return (
    <Stack gap="md" data-testid="experiment-preview" style={{ opacity: loading ? 0.7 : 1 }}>
      <Card withBorder>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          {preview.frozen ? "Audience at the start (assigned)" : "Audience now"}
        </Text>
        <Text size="xl" fw={700} data-testid="audience-size">
          {int(audience.customers)} customers
        </Text>
        <Text size="sm" c="dimmed">
          {audience.label} · {amount(audience.revenue)} net spend {preview.frozen ? "up to the start" : "to date"}
        </Text>
      </Card>
      <Card withBorder>
        <Title order={5}>Baselines from history</Title>
        <Text size="xs" c="dimmed" mb="xs" data-testid="backtest-window">
          Members as of {baselines.referenceDate} (RFM and personas recomputed with data up to that day):{" "}
          {int(baselines.members)} customers; outcome over {baselines.windowStart} to {baselines.windowEnd} (
          {baselines.windowDays} days).
        </Text>
        <Table fz="sm" data-testid="baselines">
          <Table.Tbody>
            {row("Conversion", u.conversion, (x) => percent(x, 2))}
            {row("Revenue per customer (mean)", u.revenueMean, amount)}
            {row("Revenue per customer (sd)", u.revenueSd, amount)}
            {row("Average order value", u.aov, amount)}
            {row("AOV sd per customer (delta method)", u.aovSd, amount)}
            {row("Refund rate", u.refundRate, (x) => percent(x, 2))}
          </Table.Tbody>
        </Table>
      </Card>
      <Section title="Sample size" order={5}>
        {power.problem && <Alert color="orange">{power.problem}</Alert>}
        {r && (
          <Stack gap="xs">
            <Group gap="xl">
              <Stat
                strong
                label={assigned ? "Planned per arm" : "Per arm"}
                value={
                  <>
                    {int(r.nControl)}
                    {r.nTreatment !== r.nControl ? ` / ${int(r.nTreatment)}` : ""}
                  </>
                }
                testId="sample-per-arm"
              />
              <Stat strong label={assigned ? "Planned total" : "Total"} value={int(r.nTotal)} testId="sample-total" />
              <Stat strong label="Effect to detect" value={effect(r.mdeAbsolute)} />
            </Group>
            <Text size="sm">
              {r.method} test, α {r.alphaPerComparison.toPrecision(3)} per comparison
              {power.input!.arms > 1 ? " (Bonferroni)" : ""}, power {percent(power.input!.power, 0)}.{" "}
              {assigned ? (
                <span data-testid="assigned-sizing">
                  Assigned at the start:{" "}
                  {assigned
                    .map((n, i) => `${int(n)} in ${arms?.[i] ?? (i === 0 ? "control" : `arm ${i + 1}`)}`)
                    .join(", ")}
                  ; with these arms the smallest detectable effect is{" "}
                </span>
              ) : (
                <>
                  With the whole audience ({int(power.availableControl)} in control) the smallest detectable effect
                  is{" "}
                </>
              )}
              {power.reachableMde === null ? "out of reach" : effect(power.reachableMde)}.
            </Text>
            {power.tooSmall && startingValues && (
              <Text size="sm" c="dimmed" data-testid="starting-values">
                Starting values: choose the audience and the MDE you need; whether the audience is large enough follows
                your choices.
              </Text>
            )}
            {power.tooSmall && !startingValues && !closed && (
              <Alert
                color="orange"
                title={
                  assigned
                    ? "The assigned arms are smaller than this MDE needs"
                    : "The audience is too small for this MDE"
                }
                data-testid="audience-too-small"
              >
                {assigned ? "They hold" : "It has"} {int(power.audienceSize)} customers; the test needs {int(r.nTotal)}.
                Achievable at this power: {power.reachableMde === null ? "no effect" : effect(power.reachableMde)}.
              </Alert>
            )}
            <div style={{ height: 220 }} data-testid="chart-experiment-power">
              <ResponsiveLine
                data={[{ id: "power", data: power.curve.map((p) => ({ x: p.n, y: p.power })) }]}
                margin={{ top: 10, right: 20, bottom: 40, left: 50 }}
                xScale={{ type: "linear", min: 0, max: "auto" }}
                yScale={{ type: "linear", min: 0, max: 1 }}
                axisLeft={{ format: (v) => percent(Number(v), 0) }}
                axisBottom={{ legend: "control size", legendOffset: 32, legendPosition: "middle" }}
                enablePoints={false}
                useMesh
                colors={["#4c6ef5"]}
                markers={[
                  {
                    axis: "x",
                    value: power.availableControl,
                    lineStyle: { stroke: "#12b886", strokeDasharray: "4 4" },
                    legend: assigned ? "assigned" : "audience",
                  },
                  { axis: "y", value: power.input!.power, lineStyle: { stroke: "#fa5252", strokeDasharray: "4 4" } },
                ]}
                role="img"
              />
            </div>
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

/** Campaign ROI on the design's audience: the lift learned from completed experiments of the same type, else the MDE (assumed). */
function RoiCard({ preview, learned, mde }: { preview: DesignPreview; learned: Learned; mde: Design["stats"] }) {
  const [cost, setCost] = useState<number | string>(0.1);
  const [discount, setDiscount] = useState<number | string>(10);
  const [margin, setMargin] = useState<number | string>(40);
  const value = preview.baselines.used.revenueMean.value ?? 0;
  const lift = learned ? learned.estimate : mde.relative ? mde.mde : value > 0 ? mde.mde / value : 0;
  const r = campaignRoi({
    audience: preview.audience.customers,
    baselineValue: value,
    lift,
    costPerContact: Number(cost) || 0,
    discountShare: (Number(discount) || 0) / 100,
    grossMargin: (Number(margin) || 0) / 100,
    windowDays: preview.baselines.windowDays,
  });
  return (
    <Section title="Campaign ROI on the whole audience" order={5} testId="experiment-roi">
      <Group grow>
        <NumberInput label="Cost per contact" value={cost} onChange={setCost} min={0} decimalScale={3} />
        <NumberInput label="Discount (% of order value)" value={discount} onChange={setDiscount} min={0} max={100} />
        <NumberInput label="Gross margin (%)" value={margin} onChange={setMargin} min={0} max={100} />
      </Group>
      <Text size="sm" mt="xs">
        Expected lift {percent(lift, 1)}{" "}
        {learned
          ? `(learned from ${learned.experiments.length} completed ` +
            `experiment${learned.experiments.length > 1 ? "s" : ""}, CI ${percent(learned.ci[0], 1)} to ${percent(learned.ci[1], 1)})`
          : "(assumed: the MDE)"}{" "}
        on {amount(value)} revenue per customer over {preview.baselines.windowDays} days: incremental revenue{" "}
        {amount(r.incrementalRevenue)}, profit <b>{amount(r.profit)}</b>, ROI {r.roi === null ? "–" : percent(r.roi, 0)}
        , break-even lift {r.breakEvenLift === null ? "none" : percent(r.breakEvenLift, 1)}, payback{" "}
        {r.paybackDays === null ? "never" : plural(Math.ceil(r.paybackDays), "day")}.
      </Text>
    </Section>
  );
}
