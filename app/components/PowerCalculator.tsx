import {
  Alert,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from "@mantine/core";
import { ResponsiveLine } from "@nivo/line";
import { useMemo, useState } from "react";
import { powerInputSchema } from "~/experiments/power-input";
import { analysePower, mdeAt, powerCurve, type PowerInput } from "~/experiments/stats/power";
import { effectText, int, percent } from "./format";
import { StatCard } from "./Stat";
import { ALPHA_INPUT, POWER_INPUT, SIDES_OPTIONS, type NumberBounds } from "./stat-inputs";

// The power calculator: the same pure functions and zod schema as the CLI and POST /api/power, run in the browser so
// every change answers at once.

const METHOD_LABELS: Record<PowerInput["method"], string> = {
  pooled: "Two-sample z-test, pooled variance under H0, unpooled under H1 (R power.prop.test)",
  arcsine: "Arcsine transformation, Cohen's h (statsmodels NormalIndPower)",
  t: "Two-sample t-test, pooled variance, exact power from the noncentral t (R power.t.test)",
  z: "Two-sample z-test on means (normal approximation)",
};

/** fixedAudience: the size comes from a saved audience, which a longer test does not grow (issue 14). */
export type CalculatorDefaults = {
  metric?: "proportion" | "mean";
  baseline?: number;
  mean?: number;
  sd?: number;
  audience?: number;
  fixedAudience?: boolean;
};

type Form = {
  metric: "proportion" | "mean";
  baselinePercent: number | string;
  mean: number | string;
  sd: number | string;
  mde: number | string;
  relative: boolean;
  alpha: number | string;
  power: number | string;
  sides: "1" | "2";
  ratio: number | string;
  arms: number | string;
  method: PowerInput["method"];
  n: number | string;
  audience: number | string;
  perDay: number | string;
};

// the fields typed as numbers (an empty input is "")
type NumberField = { [K in keyof Form]: number | string extends Form[K] ? K : never }[keyof Form];

const COUNT = { min: 0, thousandSeparator: "," };

const num = (v: number | string) => (v === "" || v === undefined ? undefined : Number(v));

export function PowerCalculator({ defaults = {} }: { defaults?: CalculatorDefaults }) {
  const [f, setF] = useState<Form>({
    metric: defaults.metric ?? "proportion",
    baselinePercent: defaults.baseline !== undefined ? Math.round(defaults.baseline * 10000) / 100 : 5,
    mean: defaults.mean ?? "",
    sd: defaults.sd ?? "",
    mde: 10,
    relative: true,
    alpha: 0.05,
    power: 0.8,
    sides: "2",
    ratio: 1,
    arms: 1,
    method: defaults.metric === "mean" ? "t" : "pooled",
    n: "",
    audience: defaults.audience ?? "",
    perDay: "",
  });
  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) =>
      setF((old) => ({ ...old, [key]: value }));

  const computed = useMemo(() => {
    const mdeValue = num(f.mde);
    const raw = {
      metric: f.metric,
      ...(f.metric === "proportion"
        ? { baseline: num(f.baselinePercent) === undefined ? undefined : Number(f.baselinePercent) / 100 }
        : { mean: num(f.mean), sd: num(f.sd) }),
      mde:
        mdeValue === undefined
          ? undefined
          : f.relative
            ? mdeValue / 100
            : f.metric === "proportion"
              ? mdeValue / 100
              : mdeValue,
      relative: f.relative,
      alpha: num(f.alpha),
      power: num(f.power),
      sides: Number(f.sides),
      ratio: num(f.ratio),
      arms: num(f.arms),
      method: f.method,
    };
    const parsed = powerInputSchema.safeParse(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
    if (!parsed.success)
      return {
        errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? "form"), i.message])) as Record<
          string,
          string
        >,
      };
    const input = parsed.data;
    try {
      const sized = analysePower(input);
      const n = num(f.n);
      const atN = n !== undefined && n >= 2 ? analysePower({ ...input, n: Math.floor(n) }) : null;
      const audience = num(f.audience);
      const perArm = audience !== undefined ? Math.floor(audience / (1 + input.arms * input.ratio)) : undefined;
      const reachable = perArm !== undefined && perArm >= 2 ? mdeAt(input, perArm) : null;
      const curve = powerCurve(input, Math.max(sized.nControl * 2, perArm ?? 0, 20));
      return { input, sized, atN, perArm, reachable, curve, errors: {} as Record<string, string> };
    } catch (err) {
      return { errors: { form: (err as Error).message } as Record<string, string> };
    }
  }, [f]);

  const e = computed.errors;
  // one typed number of the form, with its bounds and the schema's message for it
  const field = (key: NumberField, label: string, bounds: NumberBounds, error?: string) => (
    <NumberInput label={label} value={f[key]} onChange={set(key)} {...bounds} error={error} />
  );
  const unit = f.metric === "proportion" ? (f.relative ? "%" : "pts") : f.relative ? "%" : "";
  const perDay = num(f.perDay);
  return (
    <Stack gap="md" data-testid="power-calculator">
      <Card withBorder>
        <Stack>
          <Group>
            <SegmentedControl
              value={f.metric}
              onChange={(v) =>
                setF((o) => ({ ...o, metric: v as Form["metric"], method: v === "mean" ? "t" : "pooled" }))
              }
              data={[
                { value: "proportion", label: "Conversion (proportion)" },
                { value: "mean", label: "Revenue per customer (mean)" },
              ]}
            />
          </Group>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {f.metric === "proportion" ? (
              field("baselinePercent", "Baseline conversion (%)", { min: 0, max: 100, decimalScale: 4 }, e.baseline)
            ) : (
              <>
                {field("mean", "Baseline mean", { decimalScale: 4 }, e.mean)}
                {field("sd", "Standard deviation", { min: 0, decimalScale: 4 }, e.sd)}
              </>
            )}
            {field("mde", `Minimum detectable effect (${unit || "absolute"})`, { decimalScale: 4 }, e.mde)}
            <Switch
              label="Relative to the baseline"
              checked={f.relative}
              onChange={(ev) => set("relative")(ev.currentTarget.checked)}
              mt="xl"
            />
            {field("alpha", "Significance α", ALPHA_INPUT, e.alpha)}
            {field("power", "Power", POWER_INPUT, e.power)}
            <Select
              label="Test"
              data={SIDES_OPTIONS}
              value={f.sides}
              onChange={(v) => v && set("sides")(v as "1" | "2")}
              allowDeselect={false}
            />
            {field("ratio", "Treatment ÷ control size", { min: 0.1, max: 10, step: 0.5, decimalScale: 3 }, e.ratio)}
            {field("arms", "Treatment arms", { min: 1, max: 4 }, e.arms)}
            <Select
              label="Method"
              value={f.method}
              onChange={(v) => v && set("method")(v as PowerInput["method"])}
              allowDeselect={false}
              data={(f.metric === "proportion" ? ["pooled", "arcsine"] : ["t", "z"]).map((m) => ({
                value: m,
                label: m,
              }))}
              error={e.method}
            />
            {field("audience", "Audience available (customers)", COUNT)}
            {field("perDay", "Customers reached per day", COUNT)}
            {field("n", "Control size for achieved power", { ...COUNT, min: 2 })}
          </SimpleGrid>
          {e.form && <Alert color="red">{e.form}</Alert>}
        </Stack>
      </Card>
      {"sized" in computed && computed.sized && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} data-testid="power-results">
            <StatCard
              label="Per arm"
              value={`${int(computed.sized.nControl)}${computed.sized.nTreatment !== computed.sized.nControl ? ` / ${int(computed.sized.nTreatment)}` : ""}`}
              hint="control / each treatment"
            />
            <StatCard
              label="Total"
              value={int(computed.sized.nTotal)}
              hint={
                perDay
                  ? `${Math.ceil(computed.sized.nTotal / perDay)} days at ${int(perDay)} a day`
                  : `${computed.input!.arms} treatment arm${computed.input!.arms > 1 ? "s" : ""} + control`
              }
            />
            <StatCard
              label="Effect"
              value={effectText(computed.sized.mdeAbsolute, f.metric)}
              hint={
                computed.sized.mdeRelative === null ? "absolute" : `${percent(computed.sized.mdeRelative, 2)} relative`
              }
            />
            <StatCard
              label="Alpha per comparison"
              value={String(Math.round(computed.sized.alphaPerComparison * 1e6) / 1e6)}
              hint={computed.input!.arms > 1 ? "Bonferroni" : "one comparison"}
            />
          </SimpleGrid>
          {computed.atN && (
            <Text data-testid="power-at-n">
              With {int(computed.atN.nControl)} in control the power for this effect is{" "}
              <b>{percent(computed.atN.power, 2)}</b>.
            </Text>
          )}
          {computed.perArm !== undefined &&
            (computed.perArm * (1 + computed.input!.arms * computed.input!.ratio) < computed.sized.nTotal ? (
              <Alert color="orange" title="The audience is too small for this effect" data-testid="power-warning">
                {int(num(f.audience)!)} customers allow {int(computed.perArm)} in control. The test needs{" "}
                {int(computed.sized.nTotal)} in total. With the audience you have, the smallest effect detectable at{" "}
                {percent(computed.input!.power, 0)} power is{" "}
                {computed.reachable === null ? (
                  "beyond reach"
                ) : (
                  <b>{formatEffect(computed.reachable, computed.input!)}</b>
                )}
                .{" "}
                {defaults.fixedAudience
                  ? "Lower the power, accept a larger effect, or choose a wider audience: a longer test does not add customers to a fixed audience."
                  : "Lower the power, accept a larger effect, or find more customers."}
              </Alert>
            ) : (
              <Alert color="teal" data-testid="power-reachable">
                The audience ({int(num(f.audience)!)}) is large enough. With all of it ({int(computed.perArm)} in
                control) the smallest detectable effect is{" "}
                {computed.reachable === null ? "n/a" : <b>{formatEffect(computed.reachable, computed.input!)}</b>}.
              </Alert>
            ))}
          <Card withBorder>
            <Title order={5}>Power against control size</Title>
            <Text size="xs" c="dimmed">
              {METHOD_LABELS[computed.input!.method]};{" "}
              {computed.input!.sides === 2 ? "two-sided (both tails counted)" : "one-sided"}.
            </Text>
            <div style={{ height: 260 }} data-testid="chart-power-curve">
              <ResponsiveLine
                data={[{ id: "power", data: computed.curve!.map((p) => ({ x: p.n, y: p.power })) }]}
                margin={{ top: 10, right: 20, bottom: 45, left: 55 }}
                xScale={{ type: "linear", min: 0, max: "auto" }}
                yScale={{ type: "linear", min: 0, max: 1 }}
                axisLeft={{ format: (v) => percent(Number(v), 0) }}
                axisBottom={{ legend: "control size", legendOffset: 36, legendPosition: "middle" }}
                yFormat={(v) => percent(Number(v), 1)}
                enablePoints={false}
                useMesh
                colors={["#4c6ef5"]}
                markers={[
                  {
                    axis: "y",
                    value: computed.input!.power,
                    lineStyle: { stroke: "#fa5252", strokeDasharray: "4 4" },
                    legend: "target",
                  },
                  {
                    axis: "x",
                    value: computed.sized.nControl,
                    lineStyle: { stroke: "#adb5bd", strokeDasharray: "4 4" },
                    legend: int(computed.sized.nControl),
                  },
                ]}
                role="img"
              />
            </div>
          </Card>
        </>
      )}
    </Stack>
  );
}

function formatEffect(absolute: number, input: PowerInput): string {
  const base = input.metric === "proportion" ? input.baseline! : (input.mean ?? 0);
  const rel = base ? ` (${percent(absolute / base, 1)} relative)` : "";
  return `${effectText(absolute, input.metric)}${rel}`;
}
