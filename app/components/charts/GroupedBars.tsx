import { ResponsiveBar, type BarDatum, type BarSvgProps, type ComputedDatum } from "@nivo/bar";

type Margin = { top: number; right: number; bottom: number; left: number };

/**
 * Two or more series side by side per category (nivo grouped bars, legend in the right margin, no labels on the bars).
 * The page gives the data, each series' colour and the margins; the legend fills the right margin.
 */
export function GroupedBars<D extends BarDatum>({
  data,
  series,
  indexBy,
  margin,
  height,
  testId,
  label,
  horizontal = false,
  valueFormat,
  axisBottom,
  onClick,
  barLabel = (d) => `${d.id}, ${d.indexValue}: ${d.formattedValue}`,
}: {
  data: D[];
  /** each series' key in the data and its colour, in drawing order */
  series: Record<string, string>;
  indexBy: keyof D & string;
  margin: Margin;
  height: number;
  testId: string;
  /** the chart's aria-label */
  label: string;
  horizontal?: boolean;
  valueFormat?: (v: number) => string;
  axisBottom?: BarSvgProps<D>["axisBottom"];
  onClick?: (bar: ComputedDatum<D>) => void;
  /** each bar's aria-label (browser tests read the figures from it) */
  barLabel?: (bar: ComputedDatum<D> & { formattedValue: string }) => string;
}) {
  return (
    <div style={{ height }} data-testid={testId}>
      <ResponsiveBar
        data={data}
        keys={Object.keys(series)}
        indexBy={indexBy}
        groupMode="grouped"
        layout={horizontal ? "horizontal" : "vertical"}
        margin={margin}
        padding={0.25}
        colors={Object.values(series)}
        valueFormat={valueFormat}
        enableLabel={false}
        axisBottom={axisBottom}
        legends={[
          {
            dataFrom: "keys",
            anchor: "right",
            direction: "column",
            translateX: margin.right - 5,
            itemWidth: margin.right - 20,
            itemHeight: 20,
          },
        ]}
        onClick={onClick}
        role="img"
        ariaLabel={label}
        barAriaLabel={barLabel}
      />
    </div>
  );
}
