import { ResponsiveHeatMap } from "@nivo/heatmap";

export type HeatRow = { id: string; data: { x: string; y: number | null; partial?: boolean }[] };

/** A heatmap with a fixed row height; null cells are drawn empty; a cell with partial: true is labelled with a * (issue 14). */
export function Heatmap({
  rows,
  format,
  testId,
  rowHeight = 26,
  left = 110,
  scheme = "blues",
}: {
  rows: HeatRow[];
  format: (v: number) => string;
  testId: string;
  rowHeight?: number;
  left?: number;
  scheme?: "blues" | "greens" | "purples";
}) {
  return (
    <div style={{ height: Math.max(160, rows.length * rowHeight + 70) }} data-testid={testId}>
      <ResponsiveHeatMap
        data={rows}
        margin={{ top: 40, right: 20, bottom: 20, left }}
        valueFormat={(v) => format(Number(v))}
        label={(cell) => (cell.formattedValue === null ? "" : `${cell.formattedValue}${cell.data.partial ? "*" : ""}`)}
        axisTop={{ tickSize: 0, tickPadding: 6 }}
        axisLeft={{ tickSize: 0, tickPadding: 6 }}
        colors={{ type: "sequential", scheme }}
        emptyColor="#f8f9fa"
        labelTextColor={{ from: "color", modifiers: [["darker", 2.4]] }}
        xOuterPadding={0.05}
        yOuterPadding={0.05}
        animate={false}
        role="img"
      />
    </div>
  );
}
