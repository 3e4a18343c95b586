// Deterministic arm assignment: a customer's arm depends only on (experiment id, customer id) and the allocation, so
// the assignment can be recomputed and audited (PRODUCT.md §4 "Audience assignment export").

/** FNV-1a 64-bit (as two 32-bit halves, folded) of "experimentId:customerId" → a uniform number in [0, 1). */
export function assignmentUnit(experimentId: number, customerId: string): number {
  const text = `${experimentId}:${customerId}`;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
  }
  // final avalanche (murmur3 fmix32) so nearby ids spread evenly
  const mix = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return (mix(h1) * 2 ** 21 + (mix(h2) >>> 11)) / 2 ** 53;
}

/** The arm index for a unit number and allocation shares (in arm order, summing to 1). */
export function armFor(unit: number, shares: number[]): number {
  let cumulative = 0;
  for (let i = 0; i < shares.length; i++) {
    cumulative += shares[i];
    if (unit < cumulative) return i;
  }
  return shares.length - 1;
}

export function assignArms(experimentId: number, customerIds: string[], shares: number[]): number[] {
  return customerIds.map((id) => armFor(assignmentUnit(experimentId, id), shares));
}
