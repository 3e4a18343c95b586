import { ResponsiveBar } from "@nivo/bar";
import { ResponsiveLine } from "@nivo/line";
import type { MonthRow } from "~/analytics/monthly";
import { amount, compact, compactMoney, int } from "../format";
import { partialBandsLayer, partialBarDefs, partialBarFill } from "./partial";

// nivo's responsive charts draw after hydration: each sits in a parent of fixed height (STACK.md gotcha 3).

const LABELS = { revenue: "Revenue", orders: "Orders", customers: "Customers" } as const;

export function MonthlyTrendChart({ months, metric }: { months: MonthRow[]; metric: keyof typeof LABELS }) {
  return (
    <div style={{ height: 300 }} data-testid="chart-monthly-trend">
      <ResponsiveLine
        data={[{ id: LABELS[metric], data: months.map((m) => ({ x: m.month, y: m[metric] })) }]}
        margin={{ top: 10, right: 20, bottom: 50, left: 70 }}
        xScale={{ type: "point" }}
        yScale={{ type: "linear", min: 0, max: "auto" }}
        axisBottom={{ tickRotation: -40 }}
        axisLeft={{ format: (v) => (metric === "revenue" ? compactMoney(Number(v)) : compact(Number(v))) }}
        yFormat={(v) => (metric === "revenue" ? amount(Number(v)) : int(Number(v)))}
        pointSize={7}
        useMesh
        enableArea
        areaOpacity={0.08}
        colors={{ scheme: "category10" }}
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the custom layer reads only xScale and innerHeight
        layers={[
          partialBandsLayer(months) as any,
          "grid",
          "markers",
          "axes",
          "areas",
          "crosshair",
          "lines",
          "points",
          "slices",
          "mesh",
          "legends",
        ]}
        role="img"
      />
    </div>
  );
}

export function NewReturningChart({ months }: { months: MonthRow[] }) {
  return (
    <div style={{ height: 300 }} data-testid="chart-new-returning">
      <ResponsiveBar
        data={months.map((m) => ({
          month: m.month,
          New: m.newCustomers,
          Returning: m.returningCustomers,
          partial: m.partial ? 1 : 0,
        }))}
        keys={["New", "Returning"]}
        indexBy="month"
        margin={{ top: 10, right: 110, bottom: 50, left: 60 }}
        padding={0.25}
        colors={["#4c6ef5", "#12b886"]}
        defs={partialBarDefs}
        fill={partialBarFill}
        axisBottom={{
          tickRotation: -40,
          format: (v) => (months.find((m) => m.month === v)?.partial ? `${v}*` : String(v)),
        }}
        enableLabel={false}
        legends={[
          { dataFrom: "keys", anchor: "right", direction: "column", translateX: 100, itemWidth: 90, itemHeight: 20 },
        ]}
        role="img"
        ariaLabel="New and returning customers per month"
        barAriaLabel={(d) => `${d.id} ${d.indexValue}: ${int(Number(d.value))}`}
      />
    </div>
  );
}
