import { ResponsiveBar } from "@nivo/bar";

type Month = { month: string; revenue: number; orders: number };

/** Revenue per month as bars (nivo draws after hydration: the parent has a fixed height). */
export function MonthlyRevenueChart({ months }: { months: Month[] }) {
  return (
    <div style={{ height: 320 }} data-testid="monthly-revenue-chart">
      <ResponsiveBar
        data={months.map((m) => ({ month: m.month, revenue: m.revenue }))}
        keys={["revenue"]}
        indexBy="month"
        margin={{ top: 10, right: 10, bottom: 50, left: 80 }}
        padding={0.25}
        colors={{ scheme: "nivo" }}
        axisBottom={{ tickRotation: -40 }}
        axisLeft={{ format: (v) => Number(v).toLocaleString("en-GB") }}
        enableLabel={false}
        valueFormat={(v) => v.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}
        role="img"
        ariaLabel="Revenue per month"
      />
    </div>
  );
}
