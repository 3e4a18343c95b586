import type { Db } from "~/db/db.server";

import { personaClusters, personaSweep, segmentRun, segmentSummaries } from "./queries.server";

/** The segments report of `cli segments --json` and GET /api/segments (issue #4 contract). */
export function segmentsReport(db: Db, datasetId: number) {
  const run = segmentRun(db, datasetId);
  const summary = segmentSummaries(db, datasetId);
  return {
    snapshotDate: run.snapshotDate,
    customers: summary.customers,
    // issue 14: every revenue and monetary figure here is net of returns (customer sales minus |cancellations|, floored at 0)
    revenueBasis: "net of returns" as const,
    netRevenue: summary.revenue,
    scores: summary.scores,
    breakpoints: run.cuts,
    segments: summary.segments.map((s) => ({
      name: s.name,
      customers: s.customers,
      revenue: s.revenue,
      customerShare: s.customerShare,
      revenueShare: s.revenueShare,
    })),
    grid: summary.grid,
    personas: {
      chosenK: run.chosenK,
      bestK: run.bestK,
      silhouetteSample: run.silhouetteSample,
      sweep: personaSweep(db, datasetId),
      clusters: personaClusters(db, datasetId, run.chosenK).map((c) => ({
        name: c.name,
        customers: c.customers,
        revenue: c.revenue,
        centroid: c.centroid,
        medianRecency: c.medianRecency,
        medianFrequency: c.medianFrequency,
        medianMonetary: c.medianMonetary,
      })),
    },
  };
}
