import { describeIssues } from "~/lib/validation";
import { activeFacts } from "./context.server";
import { dayText, type Facts, type Filter } from "./facts";
import { filterFromSearch } from "./filter";

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
export function pageContext(request: Request): PageContext {
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
