// Campaign return on investment (PRODUCT.md §5), pure: incremental revenue = audience × baseline value × lift.

export type RoiInput = {
  audience: number;
  /** Revenue per customer over the campaign window without the campaign (the back-tested baseline). */
  baselineValue: number;
  /** Expected relative lift in revenue per customer. */
  lift: number;
  costPerContact: number;
  /** Share of order value given away as discount on the treated customers' orders. */
  discountShare: number;
  grossMargin: number;
  windowDays: number;
};

export type RoiResult = {
  incrementalRevenue: number;
  incrementalMargin: number;
  contactCost: number;
  discountCost: number;
  profit: number;
  roi: number | null;
  breakEvenLift: number | null;
  paybackDays: number | null;
};

export function campaignRoi(i: RoiInput): RoiResult {
  const base = i.audience * i.baselineValue;
  const incrementalRevenue = base * i.lift;
  const incrementalMargin = incrementalRevenue * i.grossMargin;
  const contactCost = i.audience * i.costPerContact;
  const discountCost = i.discountShare * base * (1 + i.lift); // the discount applies to every treated order
  const cost = contactCost + discountCost;
  const profit = incrementalMargin - cost;
  // profit(lift) = base·lift·margin − share·base·(1 + lift) − contacts·cost = 0
  const breakEvenLift =
    base > 0 && i.grossMargin > i.discountShare
      ? (contactCost / base + i.discountShare) / (i.grossMargin - i.discountShare)
      : null;
  const netPerDay = (incrementalMargin - discountCost) / i.windowDays;
  return {
    incrementalRevenue,
    incrementalMargin,
    contactCost,
    discountCost,
    profit,
    roi: cost > 0 ? profit / cost : null,
    breakEvenLift,
    paybackDays: netPerDay > 0 ? contactCost / netPerDay : null,
  };
}
