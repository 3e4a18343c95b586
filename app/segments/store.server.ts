import { and, asc, eq } from "drizzle-orm";
import type { Db } from "~/db/db.server";
import { audiences, personas, segmentRuns } from "~/db/schema";

// Reads of the stored persona run that several stages need, written once (drizzle's builder: portable, typed).

/** The stored centroids (standardised log RFM) of the k-cluster run, in cluster order; empty when k was not swept. */
export function personaCentroids(db: Db, datasetId: number, k: number): number[][] {
  return db
    .select({ centroid: personas.centroid })
    .from(personas)
    .where(and(eq(personas.datasetId, datasetId), eq(personas.k, k)))
    .orderBy(asc(personas.cluster))
    .all()
    .map((row) => JSON.parse(row.centroid) as number[]);
}

/** The k whose clusters are the data set's personas (the user's choice, else the proposed one); null before any run. */
export function chosenK(db: Db, datasetId: number): number | null {
  return (
    db.select({ k: segmentRuns.chosenK }).from(segmentRuns).where(eq(segmentRuns.datasetId, datasetId)).get()?.k ?? null
  );
}

/** The names of the k-cluster run's personas, in cluster order (the audience picker's choices). */
export function personaNames(
  db: Db,
  datasetId: number,
  k: number | null,
): { k: number; cluster: number; name: string }[] {
  if (k === null) return [];
  return db
    .select({ k: personas.k, cluster: personas.cluster, name: personas.name })
    .from(personas)
    .where(and(eq(personas.datasetId, datasetId), eq(personas.k, k)))
    .orderBy(asc(personas.cluster))
    .all();
}

/** The data set's saved audiences by name (the audience picker's choices). */
export function audienceNames(db: Db, datasetId: number): { id: number; name: string }[] {
  return db
    .select({ id: audiences.id, name: audiences.name })
    .from(audiences)
    .where(eq(audiences.datasetId, datasetId))
    .orderBy(asc(audiences.name))
    .all();
}
