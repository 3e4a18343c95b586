// Persona names from centroids (PRODUCT.md §3). A centroid is a point in the standardised space of
// (log recency, log frequency, log monetary): recency above 0 means longer ago than average. Each name has a prototype
// point; clusters take names by increasing distance to prototypes (the closest cluster–name pair first, then the next
// closest pair among the unused ones), so names are unique per clustering. Documented in docs/decisions/0007.

export const PERSONA_PROTOTYPES: { name: string; centroid: [number, number, number]; description: string }[] = [
  { name: "High-Value Loyalists", centroid: [-1, 1.2, 1.2], description: "recent, frequent, high spend" },
  {
    name: "Frequent Bargain Seekers",
    centroid: [-0.5, 0.8, 0],
    description: "come back often, spend little per visit",
  },
  {
    name: "Low-Frequency Explorers",
    centroid: [-0.8, -0.8, -0.5],
    description: "recent first or second orders, small baskets",
  },
  { name: "Dormant / Churn-Risk", centroid: [1.2, -0.8, -0.8], description: "long gone, bought rarely and little" },
  { name: "Big-Ticket Occasionals", centroid: [0, -0.6, 0.8], description: "rare but large orders" },
  { name: "Lapsed Loyalists", centroid: [1, 0.6, 0.6], description: "used to buy often and much, not lately" },
  { name: "Steady Regulars", centroid: [0, 0.3, 0.3], description: "average recency, a bit above average value" },
  { name: "VIP Whales", centroid: [-1.2, 2.2, 2.4], description: "the very top: constant, large orders" },
  { name: "Fading Occasionals", centroid: [0.6, -0.4, -0.3], description: "slipping away after a few orders" },
  { name: "One-Time Small Buyers", centroid: [0.3, -1, -1.4], description: "one small order" },
];

/** Unique names for the centroids of one clustering (more clusters than names get numbered). */
export function nameClusters(centroids: number[][]): string[] {
  const pairs: { c: number; p: number; d: number }[] = [];
  centroids.forEach((centroid, c) =>
    PERSONA_PROTOTYPES.forEach((proto, p) =>
      pairs.push({ c, p, d: centroid.reduce((s, v, j) => s + (v - proto.centroid[j]) ** 2, 0) }),
    ),
  );
  pairs.sort((a, b) => a.d - b.d || a.c - b.c || a.p - b.p);
  const names = new Array<string | null>(centroids.length).fill(null);
  const used = new Set<number>();
  for (const { c, p } of pairs) {
    if (names[c] !== null || used.has(p)) continue;
    names[c] = PERSONA_PROTOTYPES[p].name;
    used.add(p);
  }
  return names.map((n, c) => n ?? `Persona ${c + 1}`);
}
