import type { z } from "zod";
import { designSchema, type Design } from "./design";

// The experiment form's flat fields ↔ a design; percentages in the form, shares in the design.

const text = (form: FormData, key: string) => String(form.get(key) ?? "").trim();
const number = (form: FormData, key: string, scale = 1) => {
  const v = text(form, key);
  return v === "" ? undefined : Number(v.replace(/[,%\s]/g, "")) / scale; // Mantine shows "50%", "1,000"
};

export function designFromForm(form: FormData) {
  const kind = text(form, "audienceKind");
  const audience =
    kind === "audience"
      ? { kind, id: number(form, "audienceId") }
      : kind === "persona"
        ? {
            kind,
            k: number(form, "personaK"),
            cluster: number(form, "personaCluster"),
            name: text(form, "personaName") || undefined,
          }
        : { kind: "segment", segment: text(form, "segment") };
  const names = form.getAll("armName").map(String);
  const shares = form
    .getAll("armShare")
    .map((s) => (String(s).trim() === "" ? NaN : Number(String(s).replace(/[,%\s]/g, "")) / 100));
  const guardrails = [
    ...(form.get("guardRefund") ? [{ metric: "refund_rate", margin: number(form, "refundMargin", 100) }] : []),
    ...(form.get("guardAov") ? [{ metric: "aov", margin: number(form, "aovMargin", 100) }] : []),
  ];
  const relative = text(form, "mdeUnit") !== "absolute";
  const metric = text(form, "primaryMetric");
  const baselines = Object.fromEntries(
    Object.entries({
      conversion: number(form, "bConversion", 100),
      revenueMean: number(form, "bRevenueMean"),
      revenueSd: number(form, "bRevenueSd"),
      aov: number(form, "bAov"),
      aovSd: number(form, "bAovSd"),
      refundRate: number(form, "bRefundRate", 100),
    }).filter(([, v]) => v !== undefined),
  );
  return designSchema.safeParse({
    name: text(form, "name"),
    campaignType: text(form, "campaignType"),
    hypothesis: text(form, "hypothesis"),
    audience,
    arms: names.map((name, i) => ({ name, share: shares[i] })),
    primaryMetric: metric,
    windowDays: number(form, "windowDays"),
    referenceDate: text(form, "referenceDate") || undefined,
    guardrails,
    stats: {
      alpha: number(form, "alpha"),
      power: number(form, "power"),
      sides: number(form, "sides"),
      // a relative MDE is typed in %, an absolute one in percentage points for conversion, in money otherwise
      mde: number(form, "mde", relative || metric === "conversion" ? 100 : 1),
      relative,
      method: text(form, "method"),
      engine: text(form, "engine") || undefined,
      tuning: number(form, "tuning"),
      prior: {
        proper: text(form, "priorProper") === "on",
        mean: number(form, "priorMean", 100) ?? 0,
        sd: number(form, "priorSd", 100) ?? 0.3,
      },
    },
    baselines,
  });
}

/** Zod issues as form field → message. */
export function designErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const [head, second, third] = issue.path.map(String);
    let field = head;
    if (head === "stats")
      field = second === "prior" ? `prior${third ? third[0].toUpperCase() + third.slice(1) : ""}` : second;
    else if (head === "audience") field = "audience";
    else if (head === "arms")
      field = second === undefined ? "arms" : `arm${second}${third === "share" ? "Share" : "Name"}`;
    else if (head === "guardrails") field = "guardrails";
    else if (head === "baselines") field = `b${second[0].toUpperCase()}${second.slice(1)}`;
    out[field] ??= issue.message;
  }
  return out;
}

/** The form's default minimum detectable effect (relative); planning sizes "test first" campaigns no finer than this. */
export const DEFAULT_MDE = 0.1;

export const DEFAULT_DESIGN: Design = {
  name: "",
  campaignType: "reactivation discount",
  hypothesis: "",
  audience: { kind: "segment", segment: "At Risk" },
  arms: [
    { name: "Control", share: 0.5 },
    { name: "Treatment", share: 0.5 },
  ],
  primaryMetric: "conversion",
  windowDays: 30,
  guardrails: [
    { metric: "refund_rate", margin: 0.1 },
    { metric: "aov", margin: 0.05 },
  ],
  stats: {
    alpha: 0.05,
    power: 0.8,
    sides: 2,
    mde: DEFAULT_MDE,
    relative: true,
    method: "pooled",
    engine: "fixed",
    tuning: 5_000,
    prior: { proper: false, mean: 0, sd: 0.3 },
  },
  baselines: {},
};
