// Settings of the segments stage shared by server code and pages (no I/O here, so pages may import it).

/** k-means personas: k from 2 to 10, 10 restarts from seed 42 (PRODUCT.md §3). */
export const K_RANGE = [2, 10] as const;
export const PERSONA_RESTARTS = 10;
export const PERSONA_SEED = 42;

/** Columns the members table can be sorted by. */
export const MEMBER_SORTS = [
  "customer_id",
  "recency",
  "frequency",
  "monetary",
  "r",
  "f",
  "m",
  "segment",
  "country",
] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
