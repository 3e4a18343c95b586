import { expect } from "vitest";
import type { Page } from "playwright-core";

// What a nivo chart draws, read from its SVG, so that browser tests compare the figures drawn with the page's table or
// the JSON API (issue 10, item 7): bars are <rect data-testid="bar.item.<key>.<index>"> (with the aria-label the
// chart's barAriaLabel gives), heatmap cells <g data-testid="cell.<row>.<column>"> with their label, line series
// unfilled <path d="M…L…"> (one vertex per datum), points <circle r>0>, and axis ticks, legends and markers <text>.

export type Drawn = {
  /** the chart's own aria-label (role="img") */
  label: string | null;
  /** every <text>, in document order: tick labels, legends, markers */
  texts: string[];
  /** each <text> with the translation of its <g>: where an axis tick or a marker is drawn (same pixels as `lines`) */
  anchors: { text: string; x: number; y: number }[];
  /** the vertices of each line series (one per datum with a value), in drawing order (SVG pixels, y downwards) */
  lines: { x: number; y: number }[][];
  /** bars in DOM order (nivo: key by key, then by data index) */
  bars: { id: string; label: string | null; width: number; height: number }[];
  /** heatmap cells in DOM order (row by row): id "<row id>.<column>", label as drawn ("" for an empty cell) */
  cells: { id: string; label: string }[];
  /** drawn points (circles of non-zero radius) */
  points: number;
};

function read(page: Page, testId: string): Promise<Drawn> {
  return page.getByTestId(testId).evaluate((el) => {
    const svg = el.querySelector("svg");
    if (!svg) throw new Error("no svg");
    const num = (v: string | null) => Number(v ?? "NaN");
    return {
      label: svg.getAttribute("aria-label"),
      texts: [...svg.querySelectorAll("text")].map((t) => t.textContent ?? ""),
      anchors: [...svg.querySelectorAll("text")].flatMap((t) => {
        const m = /translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)/.exec(t.parentElement?.getAttribute("transform") ?? "");
        return m ? [{ text: t.textContent ?? "", x: Number(m[1]), y: Number(m[2]) }] : [];
      }),
      lines: [...svg.querySelectorAll('path[fill="none"]')]
        .map((p) => p.getAttribute("d") ?? "")
        .filter((d) => /^M[-\d.e,LM]+$/.test(d))
        .map((d) =>
          d
            .split(/[ML]/) // a series with missing values is several "M…L…" runs: its vertices in order
            .filter(Boolean)
            .map((xy) => {
              const [x, y] = xy.split(",").map(Number);
              return { x, y };
            }),
        ),
      bars: [...svg.querySelectorAll('rect[data-testid^="bar.item."]')].map((r) => ({
        id: r.getAttribute("data-testid")!.slice("bar.item.".length),
        label: r.getAttribute("aria-label"),
        width: num(r.getAttribute("width")),
        height: num(r.getAttribute("height")),
      })),
      cells: [...svg.querySelectorAll('g[data-testid^="cell."]')].map((g) => ({
        id: g.getAttribute("data-testid")!.slice("cell.".length),
        label: g.querySelector("text")?.textContent ?? "",
      })),
      points: [...svg.querySelectorAll("circle")].filter((c) => num(c.getAttribute("r")) > 0).length,
    };
  });
}

/** The y at which a polyline crosses `x` (linear between its vertices), or null outside it. */
export function yAt(line: { x: number; y: number }[], x: number): number | null {
  for (let i = 1; i < line.length; i++) {
    const [a, b] = [line[i - 1], line[i]];
    if ((a.x <= x && x <= b.x) || (b.x <= x && x <= a.x))
      return a.x === b.x ? a.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
  }
  return null;
}

/** The chart once drawn and settled (bars grow with an animation: read until two reads 200 ms apart agree). */
export async function drawn(page: Page, testId: string): Promise<Drawn> {
  await page.getByTestId(testId).locator("svg").first().waitFor({ timeout: 30_000 });
  let last = await read(page, testId);
  for (let i = 0; i < 30; i++) {
    await page.waitForTimeout(200);
    const next = await read(page, testId);
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}

/**
 * That the pixels drawn are a linear function of the values (bar lengths, a line's y), within `tolerance` pixels:
 * the line through the smallest and the largest value predicts every other one. With `throughZero`, a value of 0
 * sits at pixel 0 (bar lengths). `direction` -1: larger values are drawn with smaller pixels (a line's y). Equal values
 * must be drawn at equal pixels.
 */
export function expectLinear(
  values: number[],
  pixels: number[],
  {
    tolerance = 0.75,
    throughZero = false,
    direction = 1,
  }: { tolerance?: number; throughZero?: boolean; direction?: 1 | -1 } = {},
) {
  expect(pixels).toHaveLength(values.length);
  const lo = values.indexOf(Math.min(...values));
  const hi = values.indexOf(Math.max(...values));
  if (values[hi] === values[lo] && !throughZero) {
    // equal values (e.g. the same lift on every day so far): drawn at one height
    expect(Math.max(...pixels) - Math.min(...pixels)).toBeLessThan(tolerance);
    return;
  }
  const slope = throughZero ? pixels[hi] / values[hi] : (pixels[hi] - pixels[lo]) / (values[hi] - values[lo]);
  const at = (v: number) => (throughZero ? slope * v : pixels[lo] + slope * (v - values[lo]));
  expect(Math.sign(slope)).toBe(direction);
  const off = values.map((v, i) => Math.abs(at(v) - pixels[i]));
  expect(Math.max(...off)).toBeLessThan(tolerance);
}
