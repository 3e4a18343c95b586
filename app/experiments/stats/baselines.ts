// Baseline metrics of an audience over a window (PRODUCT.md §4), from per-customer outcomes. Pure.

export type Outcome = { converted: boolean; revenue: number; orders: number; refunded: number };

export type Baselines = {
  customers: number;
  /** Share of customers with a purchase in the window. */
  conversion: number | null;
  /** Revenue per customer in the window: mean and sample standard deviation (n − 1). */
  revenueMean: number | null;
  revenueSd: number | null;
  /** Average order value Σ revenue ÷ Σ orders, its delta-method standard error, and the per-customer sd that gives it. */
  aov: number | null;
  aovSe: number | null;
  aovSd: number | null;
  /** Cancelled value ÷ purchased value in the window, and the per-customer sd of that ratio (delta method, as AOV). */
  refundRate: number | null;
  refundSd: number | null;
  orders: number;
  revenue: number;
  refunded: number;
};

/**
 * AOV is a ratio of two per-customer means, R = x̄ / ȳ (x revenue, y orders); its variance by the delta method
 * (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric Analytics"):
 * Var(R) ≈ (1/n)·(s²ₓ/ȳ² − 2·x̄·sₓᵧ/ȳ³ + x̄²·s²ᵧ/ȳ⁴).
 */
export function baselinesFrom(outcomes: Outcome[]): Baselines {
  const n = outcomes.length;
  let converted = 0;
  let revenue = 0;
  let orders = 0;
  let refunded = 0;
  for (const o of outcomes) {
    if (o.converted) converted++;
    revenue += o.revenue;
    orders += o.orders;
    refunded += o.refunded;
  }
  const empty = {
    customers: n,
    conversion: null,
    revenueMean: null,
    revenueSd: null,
    aov: null,
    aovSe: null,
    aovSd: null,
    refundRate: null,
    refundSd: null,
    orders,
    revenue,
    refunded,
  };
  if (n === 0) return empty;
  const mx = revenue / n;
  const my = orders / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  const mr = refunded / n;
  let srr = 0;
  let srx = 0;
  for (const o of outcomes) {
    sxx += (o.revenue - mx) ** 2;
    syy += (o.orders - my) ** 2;
    sxy += (o.revenue - mx) * (o.orders - my);
    srr += (o.refunded - mr) ** 2;
    srx += (o.refunded - mr) * (o.revenue - mx);
  }
  const denominator = Math.max(1, n - 1);
  const vx = sxx / denominator;
  const vy = syy / denominator;
  const cxy = sxy / denominator;
  const aov = orders > 0 ? revenue / orders : null;
  const varAov = my > 0 ? (vx / my ** 2 - (2 * mx * cxy) / my ** 3 + (mx ** 2 * vy) / my ** 4) / n : null;
  const aovSe = varAov === null ? null : Math.sqrt(Math.max(0, varAov));
  return {
    ...empty,
    conversion: converted / n,
    revenueMean: mx,
    revenueSd: n > 1 ? Math.sqrt(vx) : null,
    aov,
    aovSe,
    aovSd: aovSe === null ? null : aovSe * Math.sqrt(n),
    refundRate: revenue > 0 ? refunded / revenue : null,
    // refund rate = r̄/x̄: n·Var = s²ᵣ/x̄² − 2·r̄·sᵣₓ/x̄³ + r̄²·s²ₓ/x̄⁴ (the same delta method)
    refundSd:
      mx > 0 && n > 1
        ? Math.sqrt(
            Math.max(
              0,
              srr / denominator / mx ** 2 - (2 * mr * (srx / denominator)) / mx ** 3 + (mr ** 2 * vx) / mx ** 4,
            ),
          )
        : null,
  };
}
