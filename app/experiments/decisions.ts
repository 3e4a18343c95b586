// The decisions a completed experiment records (issue 16), with their words: shared by the store, pages and CLI.
import type { Verdict } from "./verdict";

export const DECISIONS = ["ship", "dont-ship", "inconclusive"] as const;
export type RecordedDecision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<RecordedDecision, string> = {
  ship: "Ship",
  "dont-ship": "Don't ship",
  inconclusive: "Inconclusive",
};

/** The decision an analysis' verdict proposes (#11's four verdicts → three decisions): keep running or can't be decided is inconclusive. */
export const decisionOfVerdict = (verdict: Verdict): RecordedDecision =>
  verdict === "ship" || verdict === "dont-ship" ? verdict : "inconclusive";
