import type { Warehouse } from "~/db/warehouse.server";
import type { WarehouseSource } from "~/types/warehouse";
import { averageRetention } from "./cohorts";
import { dayText, monthCoverage, monthOf, previousScope, type Filter, type Scope } from "./facts";
import { insightsFrom } from "./insights";
import type { KpiReport } from "./kpis";
import type { ReportName, revenueReport } from "./reports";
import {
  boundsQuery,
  cohortsQuery,
  concentrationQuery,
  countriesQuery,
  kpisQuery,
  monthlyQuery,
  mostReturnedQuery,
  productsQuery,
  seasonalityQuery,
  secondPurchaseQuery,
  warehouseScope,
} from "./warehouse-sql";

// The context reports of a warehouse data set (issue 17): the same objects as reports.ts buildReport, each figure
// from its SQL builder in warehouse-sql.ts, run in the user's PostgreSQL; the figures of one report are asked side
// by side (the pool's connections).

async function scopeFor(wh: Warehouse, source: WarehouseSource, filter: Filter) {
  const scope = warehouseScope(await wh.run(boundsQuery(source)), filter);
  return { scope, filter: { from: dayText(scope.fromDay), to: dayText(scope.toDay), country: scope.countryName } };
}

async function kpiReport(wh: Warehouse, source: WarehouseSource, scope: Scope): Promise<KpiReport> {
  const prevScope = previousScope(scope);
  const [{ hasData: _current, ...current }, { hasData, ...previous }] = await Promise.all([
    wh.run(kpisQuery(source, scope)),
    wh.run(kpisQuery(source, prevScope)),
  ]);
  return {
    period: { from: dayText(scope.fromDay), to: dayText(scope.toDay) },
    current,
    previous: hasData ? previous : null,
    previousPeriod: { from: dayText(prevScope.fromDay), to: dayText(prevScope.toDay) },
  };
}

async function insights(wh: Warehouse, source: WarehouseSource, scope: Scope, currency: string | null) {
  const [concentration, months, cohorts, kpis, second, markets, returned] = await Promise.all([
    wh.run(concentrationQuery(source, scope)),
    wh.run(monthlyQuery(source, scope)),
    wh.run(cohortsQuery(source, scope)),
    wh.run(kpisQuery(source, scope)),
    wh.run(secondPurchaseQuery(source, scope, 90)),
    wh.run(countriesQuery(source, scope)),
    wh.run(mostReturnedQuery(source, scope, 3)),
  ]);
  return insightsFrom({ currency, scope, concentration, months, cohorts, kpis, second, markets, returned });
}

/** reports.ts buildReport for a warehouse data set: the same object for every report name. */
export async function warehouseReport(
  wh: Warehouse,
  source: WarehouseSource,
  name: ReportName,
  filter: Filter,
  currency: string | null,
) {
  const { scope, ...head } = await scopeFor(wh, source, filter);
  switch (name) {
    case "overview": {
      const [kpis, monthly, written] = await Promise.all([
        kpiReport(wh, source, scope),
        wh.run(monthlyQuery(source, scope)),
        insights(wh, source, scope, currency),
      ]);
      return { ...head, kpis, monthly, insights: written };
    }
    case "monthly":
      return { ...head, monthly: await wh.run(monthlyQuery(source, scope)) };
    case "cohorts": {
      const [rows, secondPurchase] = await Promise.all([
        wh.run(cohortsQuery(source, scope)),
        wh.run(secondPurchaseQuery(source, scope)),
      ]);
      const coverage =
        scope.fromDay > scope.toDay
          ? null
          : { first: monthCoverage(scope, monthOf(scope.fromDay)), last: monthCoverage(scope, monthOf(scope.toDay)) };
      return { ...head, cohorts: rows, averageRetention: averageRetention(rows), secondPurchase, coverage };
    }
    case "countries":
      return { ...head, countries: await wh.run(countriesQuery(source, scope)) };
    case "products": {
      const [pareto, mostReturned] = await Promise.all([
        wh.run(productsQuery(source, scope)),
        wh.run(mostReturnedQuery(source, scope, 10)),
      ]);
      return { ...head, ...pareto, mostReturned };
    }
    case "seasonality":
      return { ...head, ...(await wh.run(seasonalityQuery(source, scope))) };
    case "insights":
      return { ...head, insights: await insights(wh, source, scope, currency) };
  }
}

/** reports.ts revenueReport for a warehouse data set (the Revenue page). */
export async function warehouseRevenueReport(
  wh: Warehouse,
  source: WarehouseSource,
  filter: Filter,
): Promise<ReturnType<typeof revenueReport>> {
  const { scope, ...head } = await scopeFor(wh, source, filter);
  const [countries, pareto, mostReturned, seasonality] = await Promise.all([
    wh.run(countriesQuery(source, scope)),
    wh.run(productsQuery(source, scope)),
    wh.run(mostReturnedQuery(source, scope, 10)),
    wh.run(seasonalityQuery(source, scope)),
  ]);
  return { ...head, countries, pareto, mostReturned, seasonality };
}
