import { describe, expect, it } from "vitest";
import { clvCsvRow, valueByGroup, type CustomerValue, type ValueModel } from "~/planning/value.server";

// The segment table showed "Lost … P(alive) 100%": in BG/NBD a customer with no repeat purchase (x = 0) has P(alive) = 1
// by construction (Fader, Hardie & Lee 2005, eq. 11), so a group's P(alive) is averaged over its repeat buyers only.

const customer = (id: string, segment: string, x: number, pAlive: number): CustomerValue => ({
  index: 0,
  customerId: id,
  x,
  tx: x ? 10 : 0,
  T: 40,
  m: x ? 20 : 0,
  firstValue: 20,
  holdout: 0,
  revenue: 100,
  orders: x + 1,
  activeMonths: x + 1,
  pAlive,
  purchases30: 0.1,
  purchases90: 0.3,
  purchases365: 1,
  expectedValue: 20,
  revenue365: 20,
  segment,
  persona: "",
});

const model = (rows: CustomerValue[]) => ({ rows }) as unknown as ValueModel;

describe("P(alive) by segment", () => {
  it("averages over repeat buyers, ignoring one-time buyers' P(alive) = 1", () => {
    const groups = valueByGroup(
      model([
        customer("a", "Lost", 0, 1),
        customer("b", "Lost", 0, 1),
        customer("c", "Lost", 2, 0.2),
        customer("d", "Lost", 3, 0.4),
      ]),
      "segment",
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ group: "Lost", customers: 4, repeatBuyers: 2 });
    expect(groups[0].pAlive).toBeCloseTo(0.3, 12); // (0.2 + 0.4) / 2, not (1 + 1 + 0.2 + 0.4) / 4 = 0.65
  });

  it("is null (shown 'n/a (one purchase)') for a group of one-time buyers only", () => {
    const [g] = valueByGroup(model([customer("a", "New", 0, 1), customer("b", "New", 0, 1)]), "segment");
    expect(g).toMatchObject({ group: "New", customers: 2, repeatBuyers: 0, pAlive: null });
  });

  it("the CSV keeps p_alive numeric: 1 for a one-time buyer", () => {
    expect(clvCsvRow(customer("a", "Lost", 0, 1))[9]).toBe(1);
    expect(clvCsvRow(customer("c", "Lost", 2, 0.23456))[9]).toBe(0.2346);
  });
});
