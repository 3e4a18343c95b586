// How results were recorded, in words, and the one rule that a simulation is a rehearsal, never a result (issue 16):
// shared by the store, the pages (client code cannot import *.server modules) and the CLI.

export const SOURCE_LABELS: Record<string, string> = {
  aggregate: "counts per arm",
  upload: "a per-customer file",
  simulation: "a rehearsal (simulated)",
  measured: "measured from the shop's transactions",
};

/** A simulation is a rehearsal: never a result, so Plan, ROI and learned lifts must skip it. */
export const isRehearsal = (results: { source: string } | null | undefined) => results?.source === "simulation";
