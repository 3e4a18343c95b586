// The statistical settings as the power calculator and the experiment design form both ask for them: the same bounds,
// steps and choices in each (what lies outside is refused by experiments/power-input.ts and experiments/design.ts).
export const ALPHA_INPUT = { min: 0.001, max: 0.5, step: 0.01, decimalScale: 4 };
export const POWER_INPUT = { min: 0.5, max: 0.99, step: 0.05, decimalScale: 4 };
export const SIDES_OPTIONS = [
  { value: "2", label: "Two-sided" },
  { value: "1", label: "One-sided" },
];

/** What a number field of these forms sets besides its name, label and value. */
export type NumberBounds = {
  min?: number;
  max?: number;
  step?: number;
  decimalScale?: number;
  thousandSeparator?: string;
};
