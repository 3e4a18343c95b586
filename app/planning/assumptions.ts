// The planning assumptions a user has not typed over: one place, so that the plan, the ROI page and the experiment form
// start from the same figures. Shares are fractions (0.4 = 40%); costs in currency units per contacted customer.

/** The lift assumed for a campaign type no completed experiment has measured yet. */
export const ASSUMED_LIFT = 0.05;

export const GROSS_MARGIN = 0.4;

/** A discount campaign costs more per contact (the offer's handling) and gives part of the order value away. */
export function campaignCosts(campaignType: string): { costPerContact: number; discountShare: number } {
  return campaignType === "reactivation discount" ? { costPerContact: 0.5, discountShare: 0.1 } : { costPerContact: 0.1, discountShare: 0 };
}
