// Nelder–Mead simplex minimisation (Nelder & Mead 1965; standard coefficients reflection 1, expansion 2, contraction ½,
// shrink ½), with restarts from the best point until a restart no longer improves: robust on the smooth, low-dimensional
// log-likelihoods of the CLV models. Pure. Every run is capped (iterations, evaluations, a deadline) and says how it
// ended: a runaway down a ridge (a coordinate past `bound`, or a value that is not finite) stops as "diverged" instead of
// "converging" at 1e308.

export type NelderMeadStatus = "converged" | "max-iterations" | "max-evaluations" | "timeout" | "diverged";
export type NelderMeadResult = {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  status: NelderMeadStatus;
};
export type NelderMeadOptions = {
  step?: number;
  tolerance?: number;
  maxIterations?: number;
  /** Objective evaluations over all restarts. */
  maxEvaluations?: number;
  /** Wall-clock budget in milliseconds over all restarts. */
  maxMillis?: number;
  /** |coordinate| past which the search is diverging (on log-parameters e^700 overflows a double; the CLV fits use 25). */
  bound?: number;
};

type Budget = { evaluations: number; maxEvaluations: number; deadline: number; bound: number };

function run(
  f: (x: number[]) => number,
  start: number[],
  step: number,
  tolerance: number,
  maxIterations: number,
  budget: Budget,
): NelderMeadResult {
  const n = start.length;
  let status: NelderMeadStatus | null = null;
  const evaluate = (x: number[]) => {
    budget.evaluations++;
    const v = f(x);
    if (x.some((c) => !(Math.abs(c) <= budget.bound))) status = "diverged";
    return v;
  };
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))];
  let values = simplex.map(evaluate);
  let iterations = 0;
  for (; iterations < maxIterations && status === null; iterations++) {
    const order = values
      .map((v, i) => [v, i] as const)
      .sort((p, q) => p[0] - q[0])
      .map(([, i]) => i);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (values[0] === -Infinity) {
      status = "diverged";
      break;
    }
    if (Math.abs(values[n] - values[0]) <= tolerance * (Math.abs(values[0]) + tolerance)) {
      status = "converged";
      break;
    }
    if (budget.evaluations >= budget.maxEvaluations) {
      status = "max-evaluations";
      break;
    }
    if ((iterations & 15) === 0 && Date.now() > budget.deadline) {
      status = "timeout";
      break;
    }
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j], 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = along(-1);
    const fr = evaluate(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = evaluate(expanded);
      if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
      else [simplex[n], values[n]] = [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = evaluate(contracted);
      if (fc < Math.min(fr, values[n])) [simplex[n], values[n]] = [contracted, fc];
      else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = evaluate(simplex[i]);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return {
    x: simplex[best],
    value: values[best],
    iterations,
    evaluations: budget.evaluations,
    status: status ?? "max-iterations",
  };
}

export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const {
    step = 0.5,
    tolerance = 1e-10,
    maxIterations = 5000,
    maxEvaluations = 100_000,
    maxMillis = 60_000,
    bound = 700,
  } = options;
  const budget: Budget = { evaluations: 0, maxEvaluations, deadline: Date.now() + maxMillis, bound };
  let best = run(f, start, step, tolerance, maxIterations, budget);
  let iterations = best.iterations;
  for (let restart = 0; restart < 5 && best.status === "converged"; restart++) {
    const next = run(f, best.x, step / 4, tolerance, maxIterations, budget);
    iterations += next.iterations;
    if (next.status !== "converged" || next.value >= best.value - 1e-9 * Math.abs(best.value)) {
      if (next.status !== "converged" && next.value < best.value) best = next; // a restart that ran away or out of budget says so
      break;
    }
    best = next;
  }
  return { ...best, iterations, evaluations: budget.evaluations };
}
