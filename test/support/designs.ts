// The experiment designs the REST and CLI walks of an experiment create (issues 13 and 16).

// issue 13's minimal design file: fields left out take the form's defaults
export const MINIMAL = {
  name: "A/A on At Risk",
  campaignType: "custom",
  hypothesis: "",
  audience: { kind: "segment", segment: "At Risk" },
  arms: [
    { name: "Control", share: 0.5 },
    { name: "Treatment", share: 0.5 },
  ],
  primaryMetric: "conversion",
  windowDays: 30,
  guardrails: [],
  stats: { alpha: 0.05, power: 0.8, sides: 2, mde: 0.1, relative: true, method: "pooled" },
  baselines: {},
};
export const CHAMPIONS = { name: "Champions early access", audience: { kind: "segment", segment: "Champions" } };
