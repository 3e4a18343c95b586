import { patternLinesDef } from "@nivo/core";

// How charts mark a month the data (or the filter) covers only in part (issue 14): bars hatched, line charts a hatched
// band behind the month with its "partial" label. Tables say "partial (9 of 31 days)" (partialLabel in analytics/facts).

const PARTIAL_HATCH = "partial-hatch";

/** nivo bar `defs` and `fill`: bars whose datum has partial: 1 are hatched (white lines over their own colour). */
export const partialBarDefs = [
  patternLinesDef(PARTIAL_HATCH, {
    spacing: 5,
    rotation: -45,
    lineWidth: 2,
    background: "inherit",
    color: "rgba(255, 255, 255, 0.75)",
  }),
];
export const partialBarFill = [
  { match: (d: { data: { data: { partial?: number } } }) => d.data.data.partial === 1, id: PARTIAL_HATCH },
];

type Month = { month: string; partial: boolean; days: number; daysInMonth: number };

/** A nivo line layer (point x scale over months) drawing a hatched band behind each partial month. */
export function partialBandsLayer(months: Month[]) {
  function PartialBands({ xScale, innerHeight }: { xScale: (x: string) => number; innerHeight: number }) {
    const xs = months.map((m) => xScale(m.month));
    const step = xs.length > 1 ? Math.abs(xs[1] - xs[0]) : 40;
    return (
      <g data-testid="partial-bands">
        <defs>
          <pattern id="partial-band" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <line x1="0" y1="0" x2="0" y2="6" stroke="#adb5bd" strokeWidth="2" />
          </pattern>
        </defs>
        {months.map((m, i) =>
          m.partial ? (
            <g key={m.month}>
              <rect
                x={xs[i] - step / 2}
                y={0}
                width={step}
                height={innerHeight}
                fill="url(#partial-band)"
                opacity={0.35}
              />
              <text x={xs[i]} y={12} textAnchor="middle" fontSize={10} fill="#868e96">
                partial
              </text>
              <title>{`${m.month}: partial (${m.days} of ${m.daysInMonth} days)`}</title>
            </g>
          ) : null,
        )}
      </g>
    );
  }
  return PartialBands;
}
