import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { activeDatasetId, getDataset } from "~/db/datasets.server";
import { csvResponse, toCsv } from "~/lib/csv";
import { moneyHeaders } from "~/lib/currency";
import { planCandidates } from "~/planning/plan.server";

const round = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

// GET /api/plan/learned.csv[?borrow=1] — the Plan's candidates with their learned lift, interval and profit range, and
// the campaigns to test first with the test's size: one row per segment × campaign type.
export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const id = activeDatasetId(db);
  if (id === null) throw new Response("No data set yet", { status: 404 });
  const borrow = new URL(request.url).searchParams.get("borrow") === "1";
  const { candidates, testFirst } = planCandidates(db, id, { borrow });
  const rows = [
    ...candidates.map((c) => [
      c.name,
      "learned",
      c.audience,
      c.valuePerCustomer,
      round(c.learned.raw.estimate),
      round(c.learned.estimate),
      round(c.learned.ci[0]),
      round(c.learned.ci[1]),
      c.learned.borrowed,
      c.learned.experiments.map((e) => e.name).join("; "),
      round(c.profitRange[0], 2),
      round(c.profitRange[1], 2),
      null,
      null,
    ]),
    ...testFirst.map((t) => [
      t.name,
      "test first",
      t.audience,
      t.valuePerCustomer,
      null,
      null,
      null,
      null,
      false,
      "",
      null,
      null,
      round(t.testLift),
      t.perArm,
    ]),
  ];
  return csvResponse(
    "plan_learned.csv",
    toCsv(
      moneyHeaders(
        [
          "campaign",
          "status",
          "audience",
          "value_per_customer",
          "raw_lift",
          "learned_lift",
          "lift_low",
          "lift_high",
          "borrowed",
          "experiments",
          "profit_low",
          "profit_high",
          "test_lift",
          "test_per_arm",
        ],
        ["value_per_customer", "profit_low", "profit_high"],
        getDataset(db, id)?.currency,
      ),
      rows,
    ),
  );
}
