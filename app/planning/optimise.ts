// Nelder–Mead simplex minimisation (Nelder & Mead 1965; standard coefficients reflection 1, expansion 2, contraction ½,
// shrink ½), with restarts from the best point until a restart no longer improves: robust on the smooth, low-dimensional
// log-likelihoods of the CLV models. Pure.

export type NelderMeadResult = { x: number[]; value: number; iterations: number };

function run(f: (x: number[]) => number, start: number[], step: number, tolerance: number, maxIterations: number): NelderMeadResult {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))];
  let values = simplex.map(f);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const order = values.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]).map(([, i]) => i);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[n] - values[0]) <= tolerance * (Math.abs(values[0]) + tolerance)) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j], 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = along(-1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = f(expanded);
      if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
      else [simplex[n], values[n]] = [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n])) [simplex[n], values[n]] = [contracted, fc];
      else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = f(simplex[i]);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best], value: values[best], iterations };
}

export function nelderMead(f: (x: number[]) => number, start: number[], options: { step?: number; tolerance?: number; maxIterations?: number } = {}): NelderMeadResult {
  const { step = 0.5, tolerance = 1e-10, maxIterations = 5000 } = options;
  let best = run(f, start, step, tolerance, maxIterations);
  let iterations = best.iterations;
  for (let restart = 0; restart < 5; restart++) {
    const next = run(f, best.x, step / 4, tolerance, maxIterations);
    iterations += next.iterations;
    if (next.value >= best.value - 1e-9 * Math.abs(best.value)) break;
    best = next;
  }
  return { ...best, iterations };
}
