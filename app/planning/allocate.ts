// Budget allocation across candidate campaigns (PRODUCT.md §5), pure. Each contact of a candidate costs
// costPerContact and is expected to earn value × lift × margin − discount × value × (1 + lift) − costPerContact: the
// profit is linear in the contacts, so the problem is a fractional knapsack and the greedy rule is exact — fund the
// candidates by profit per unit of budget, best first, each up to its audience, while the budget lasts (whole contacts:
// the last funded candidate may get part of its audience).

export type Candidate = {
  name: string;
  audience: number;
  costPerContact: number;
  valuePerCustomer: number;
  lift: number;
  grossMargin: number;
  discountShare: number;
};
export type Allocation = {
  name: string;
  contacts: number;
  spend: number;
  expectedProfit: number;
  incrementalRevenue: number;
  profitPerContact: number;
  returnPerSpend: number | null;
};

export const profitPerContact = (c: Candidate) =>
  c.valuePerCustomer * c.lift * c.grossMargin - c.discountShare * c.valuePerCustomer * (1 + c.lift) - c.costPerContact;

export function allocateBudget(
  budget: number,
  candidates: Candidate[],
): { allocations: Allocation[]; spend: number; expectedProfit: number; unspent: number } {
  const ranked = candidates
    .map((c, i) => ({ c, i, ppc: profitPerContact(c) }))
    .sort((a, b) => {
      const ra = a.c.costPerContact > 0 ? a.ppc / a.c.costPerContact : Infinity;
      const rb = b.c.costPerContact > 0 ? b.ppc / b.c.costPerContact : Infinity;
      return rb - ra || a.i - b.i;
    });
  let remaining = budget;
  const contacts = new Map<number, number>();
  for (const { c, i, ppc } of ranked) {
    if (ppc <= 0) continue; // a contact that loses money is never bought
    const affordable = c.costPerContact > 0 ? Math.floor(remaining / c.costPerContact + 1e-9) : c.audience;
    const n = Math.max(0, Math.min(c.audience, affordable));
    contacts.set(i, n);
    remaining -= n * c.costPerContact;
  }
  const allocations = candidates.map((c, i) => {
    const n = contacts.get(i) ?? 0;
    const ppc = profitPerContact(c);
    return {
      name: c.name,
      contacts: n,
      spend: n * c.costPerContact,
      expectedProfit: n * ppc,
      incrementalRevenue: n * c.valuePerCustomer * c.lift,
      profitPerContact: ppc,
      returnPerSpend: c.costPerContact > 0 ? ppc / c.costPerContact : null,
    };
  });
  const spend = allocations.reduce((s, a) => s + a.spend, 0);
  return {
    allocations,
    spend,
    expectedProfit: allocations.reduce((s, a) => s + a.expectedProfit, 0),
    unspent: budget - spend,
  };
}
