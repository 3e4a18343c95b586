import type { Warehouse } from "~/db/warehouse.server";
import { pageQuery } from "~/ingest/warehouse-sql";
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
  type WarehouseBounds,
} from "./warehouse-sql";

// The context reports of a warehouse data set (issue 17): the same objects as reports.ts buildReport, each figure
// from its SQL builder in warehouse-sql.ts, run in the user's PostgreSQL. A report's figures are one statement
// (pageQuery): the table is read and cleaned once for the page, not once per figure.

async function scopeFor(wh: Warehouse, source: WarehouseSource, filter: Filter, bounds?: WarehouseBounds) {
  const scope = warehouseScope(bounds ?? (await wh.run(boundsQuery(source))), filter);
  return { scope, filter: { from: dayText(scope.fromDay), to: dayText(scope.toDay), country: scope.countryName } };
}

/** The figures insights.ts writes its sentences from (the KPIs are the overview's own, asked once). */
const insightFigures = (source: WarehouseSource, scope: Scope) => ({
  concentration: concentrationQuery(source, scope),
  months: monthlyQuery(source, scope),
  cohorts: cohortsQuery(source, scope),
  kpis: kpisQuery(source, scope),
  second: secondPurchaseQuery(source, scope, 90),
  markets: countriesQuery(source, scope),
  returned: mostReturnedQuery(source, scope, 3),
});

/** reports.ts buildReport for a warehouse data set: the same object for every report name. */
export async function warehouseReport(
  wh: Warehouse,
  source: WarehouseSource,
  name: ReportName,
  filter: Filter,
  currency: string | null,
  bounds?: WarehouseBounds,
) {
  const { scope, ...head } = await scopeFor(wh, source, filter, bounds);
  switch (name) {
    case "overview": {
      const prevScope = previousScope(scope);
      const { previous, ...figures } = await wh.run(
        pageQuery(source, { ...insightFigures(source, scope), previous: kpisQuery(source, prevScope) }),
      );
      const { hasData: _current, ...current } = figures.kpis;
      const { hasData, ...before } = previous;
      const kpis: KpiReport = {
        period: { from: dayText(scope.fromDay), to: dayText(scope.toDay) },
        current,
        previous: hasData ? before : null,
        previousPeriod: { from: dayText(prevScope.fromDay), to: dayText(prevScope.toDay) },
      };
      return { ...head, kpis, monthly: figures.months, insights: insightsFrom({ currency, scope, ...figures }) };
    }
    case "monthly":
      return { ...head, monthly: await wh.run(monthlyQuery(source, scope)) };
    case "cohorts": {
      const { rows, secondPurchase } = await wh.run(
        pageQuery(source, { rows: cohortsQuery(source, scope), secondPurchase: secondPurchaseQuery(source, scope) }),
      );
      const coverage =
        scope.fromDay > scope.toDay
          ? null
          : { first: monthCoverage(scope, monthOf(scope.fromDay)), last: monthCoverage(scope, monthOf(scope.toDay)) };
      return { ...head, cohorts: rows, averageRetention: averageRetention(rows), secondPurchase, coverage };
    }
    case "countries":
      return { ...head, countries: await wh.run(countriesQuery(source, scope)) };
    case "products": {
      const { pareto, mostReturned } = await wh.run(
        pageQuery(source, { pareto: productsQuery(source, scope), mostReturned: mostReturnedQuery(source, scope, 10) }),
      );
      return { ...head, ...pareto, mostReturned };
    }
    case "seasonality":
      return { ...head, ...(await wh.run(seasonalityQuery(source, scope))) };
    case "insights":
      return {
        ...head,
        insights: insightsFrom({
          currency,
          scope,
          ...(await wh.run(pageQuery(source, insightFigures(source, scope)))),
        }),
      };
  }
}

/** reports.ts revenueReport for a warehouse data set (the Revenue page). */
export async function warehouseRevenueReport(
  wh: Warehouse,
  source: WarehouseSource,
  filter: Filter,
  bounds?: WarehouseBounds,
): Promise<ReturnType<typeof revenueReport>> {
  const { scope, ...head } = await scopeFor(wh, source, filter, bounds);
  const figures = await wh.run(
    pageQuery(source, {
      countries: countriesQuery(source, scope),
      pareto: productsQuery(source, scope),
      mostReturned: mostReturnedQuery(source, scope, 10),
      seasonality: seasonalityQuery(source, scope),
    }),
  );
  return { ...head, ...figures };
}
