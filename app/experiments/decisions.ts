// The decisions a completed experiment records (issue 16), with their words: shared by the store, pages and CLI.

export const DECISIONS = ["ship", "dont-ship", "inconclusive"] as const;
export type RecordedDecision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<RecordedDecision, string> = {
  ship: "Ship",
  "dont-ship": "Don't ship",
  inconclusive: "Inconclusive",
};
