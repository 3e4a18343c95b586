import { activeDataset } from "~/db/active.server";
import { dataVersion } from "~/db/version.server";
import { warehouseConnection } from "~/db/warehouse-sources.server";
import { warehouseFor } from "~/db/warehouse.server";
import { describeIssues } from "~/lib/validation";
import { activeFacts } from "./context.server";
import { dayText, type Facts, type Filter } from "./facts";
import { filterFromSearch } from "./filter";
import { memo } from "./memo.server";
import { cohortsReport, overviewReport, revenueReport, type Report, type ReportName } from "./reports";
import { warehouseReport, warehouseRevenueReport } from "./warehouse.server";
import { boundsQuery } from "./warehouse-sql";

export type PageContext =
  | { empty: true }
  | {
      empty: false;
      facts: Facts;
      dataset: { id: number; name: string };
      filter: Filter;
      filterError: string | null;
      /** Options for the filter bar: the data's date span and its countries, most frequent first. */
      bounds: { first: string; last: string; countries: string[] };
    };

/** What every context page needs: the active data set's facts and the URL's filter (an invalid filter is shown, not applied). */
function pageContext(request: Request): PageContext {
  const active = activeFacts();
  if (!active) return { empty: true };
  const parsed = filterFromSearch(new URL(request.url).searchParams);
  const { facts } = active;
  return {
    empty: false,
    facts,
    dataset: active.dataset,
    filter: parsed.success ? parsed.data : {},
    filterError: parsed.success ? null : describeIssues(parsed.error),
    bounds: { first: dayText(facts.firstDay), last: dayText(facts.lastDay), countries: countriesByOrders(facts) },
  };
}

// once per loaded data set, not per request: it is a pass over every order
const byOrders = new WeakMap<Facts, string[]>();

/** The data set's countries, most orders first. */
function countriesByOrders(facts: Facts): string[] {
  let countries = byOrders.get(facts);
  if (!countries) {
    const counts = new Array<number>(facts.countries.length).fill(0);
    for (let i = 0; i < facts.orders.n; i++) if (facts.orders.country[i] >= 0) counts[facts.orders.country[i]]++;
    countries = facts.countries
      .map((c, i) => [c, counts[i]] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([c]) => c);
    byOrders.set(facts, countries);
  }
  return countries;
}

const PAGES = { overview: overviewReport, cohorts: cohortsReport, revenue: revenueReport };
type PageName = keyof typeof PAGES;
type PageReport<N extends PageName> = ReturnType<(typeof PAGES)[N]>;

export type ContextPage<N extends PageName> =
  | { empty: true }
  | {
      empty: false;
      dataset: { id: number; name: string };
      filter: Filter;
      filterError: string | null;
      bounds: { first: string; last: string; countries: string[] };
      /** "warehouse": every figure was computed in the data set's PostgreSQL (issue 17). */
      engine: "memory" | "warehouse";
      report: PageReport<N>;
    };

// A warehouse data set's page figures, kept by data set version and filter: a re-read of the table (a new version)
// asks PostgreSQL again; a failed query is not kept.
const warehouseAnswers = new Map<string, Promise<unknown>>();
const WAREHOUSE_KEEP = 64;
function keep<T>(key: string, compute: () => Promise<T>): Promise<T> {
  let hit = warehouseAnswers.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = compute();
    warehouseAnswers.set(key, hit);
    hit.catch(() => warehouseAnswers.delete(key));
    while (warehouseAnswers.size > WAREHOUSE_KEEP) warehouseAnswers.delete(warehouseAnswers.keys().next().value!);
  }
  return hit;
}

type Active = NonNullable<ReturnType<typeof activeDataset>>;
type Connection = NonNullable<ReturnType<typeof warehouseConnection>>;

/** A warehouse data set's page figures for a filter, kept (with the data's bounds) by data set version and filter. */
async function warehousePage<N extends PageName>(active: Active, connection: Connection, name: N, filter: Filter) {
  const version = dataVersion(active.db, active.id);
  const wh = warehouseFor(connection.url);
  const bounds = await keep(`bounds:${version}`, () => wh.run(boundsQuery(connection.source)));
  const report = (await keep(`${name}:${version}:${JSON.stringify(filter)}`, () =>
    name === "revenue"
      ? warehouseRevenueReport(wh, connection.source, filter, bounds)
      : warehouseReport(wh, connection.source, name, filter, active.currency, bounds),
  )) as PageReport<N>;
  return { bounds, report };
}

/**
 * A context report of a warehouse data set (GET /api/report/<name>, its JSON and its CSV tables): taken from the
 * figures of the page that shows it, kept as that page keeps them, so that a download from a page asks PostgreSQL
 * nothing more; the same object as buildReport's.
 */
export async function warehouseContextReport<N extends ReportName>(
  active: Active,
  connection: Connection,
  name: N,
  filter: Filter,
): Promise<Report<N>> {
  const page = async <P extends PageName>(p: P) => (await warehousePage(active, connection, p, filter)).report;
  const report = async () => {
    switch (name) {
      case "overview":
      case "cohorts":
        return page(name);
      case "monthly":
      case "insights": {
        const { filter, monthly, insights } = await page("overview");
        return name === "monthly" ? { filter, monthly } : { filter, insights };
      }
      case "countries": {
        const { filter, countries } = await page("revenue");
        return { filter, countries };
      }
      case "products": {
        const { filter, pareto, mostReturned } = await page("revenue");
        return { filter, ...pareto, mostReturned };
      }
      case "seasonality": {
        const { filter, seasonality } = await page("revenue");
        return { filter, ...seasonality };
      }
    }
  };
  return (await report()) as Report<N>;
}

/**
 * What a context page (overview, cohorts, revenue) shows for the active data set and the URL's filter: computed in
 * memory from an imported data set's facts, or by the SQL builders in a warehouse data set's PostgreSQL.
 */
export async function contextPage<N extends PageName>(request: Request, name: N): Promise<ContextPage<N>> {
  const active = activeDataset();
  if (!active) return { empty: true };
  const connection = warehouseConnection(active.db, active.id);
  if (!connection) {
    const ctx = pageContext(request);
    if (ctx.empty) return ctx;
    const { facts, ...rest } = ctx;
    const report = memo(`${name}-page:${facts.datasetId}:${JSON.stringify(ctx.filter)}`, () =>
      PAGES[name](facts, ctx.filter),
    ) as PageReport<N>;
    return { ...rest, engine: "memory", report };
  }
  const parsed = filterFromSearch(new URL(request.url).searchParams);
  const filter = parsed.success ? parsed.data : {};
  const { bounds, report } = await warehousePage(active, connection, name, filter);
  return {
    empty: false,
    dataset: { id: active.id, name: active.name },
    filter,
    filterError: parsed.success ? null : describeIssues(parsed.error),
    bounds: { first: dayText(bounds.firstDay), last: dayText(bounds.lastDay), countries: bounds.countries },
    engine: "warehouse",
    report,
  };
}
