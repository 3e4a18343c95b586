// The planning assumptions a user has not typed over: one place, so that the plan, the ROI page and the experiment form
// start from the same figures. Shares are fractions (0.4 = 40%); costs in currency units per contacted customer.
import { DEFAULT_MDE } from "~/experiments/design-form";
import { percentText } from "~/lib/numbers";

export const GROSS_MARGIN = 0.4;

// The smallest relative lift a test is sized to detect is the design form's default MDE: a smaller break-even lift still
// pays, but a test sized to detect it would need an absurd audience (issue 11: 0.0% → 1.6 billion per arm).
export { DEFAULT_MDE };

/** The lift a "test first" campaign is sized for: the break-even lift, never below DEFAULT_MDE (10% when there is none). */
export function testFirstLift(breakEvenLift: number | null): number {
  return breakEvenLift !== null && breakEvenLift > DEFAULT_MDE && breakEvenLift < 10 ? breakEvenLift : DEFAULT_MDE;
}

const pct = (x: number) => percentText(x, 1);

/** The "test first" sizing in words; names the break-even lift when the floor, not the break-even, set the size. */
export function testFirstNote(breakEvenLift: number | null, testLift: number, perArm: number | null): string {
  const size =
    perArm === null
      ? "cannot be sized (no spread in revenue per customer)"
      : `needs ${perArm.toLocaleString("en-GB")} customers per arm`;
  const sized = `a test sized to detect ${pct(testLift)} lift in revenue per customer (80% power, α 0.05) ${size}`;
  if (breakEvenLift === null) return `no break-even lift; ${sized}`;
  if (breakEvenLift <= DEFAULT_MDE) return `any lift above ${pct(breakEvenLift)} pays; ${sized}`;
  return `break-even at ${pct(breakEvenLift)} lift; ${sized}`;
}

/** A discount campaign costs more per contact (the offer's handling) and gives part of the order value away. */
export function campaignCosts(campaignType: string): { costPerContact: number; discountShare: number } {
  return campaignType === "reactivation discount"
    ? { costPerContact: 0.5, discountShare: 0.1 }
    : { costPerContact: 0.1, discountShare: 0 };
}
