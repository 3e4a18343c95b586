import type { WarehouseProgress } from "~/types/warehouse";

// What a warehouse data set's connection or re-read is doing (issue 17), in the words the Data page and the CLI use,
// and how far along it is (the stages' rough share of the time on a large table: the report and customers dominate).

export const WAREHOUSE_STAGES: Record<WarehouseProgress["stage"], string> = {
  connecting: "Connecting and checking the table",
  report: "Computing the cleaning report in the warehouse",
  customers: "Reading the customers from the warehouse",
  segments: "Computing RFM segments and personas",
  storing: "Storing the report, customers, segments and personas at once",
  done: "Done",
};

const PERCENT: Record<WarehouseProgress["stage"], number> = {
  connecting: 2,
  report: 10,
  customers: 45,
  segments: 75,
  storing: 95,
  done: 100,
};

export const warehouseStagePercent = (p: WarehouseProgress | null) => (p ? PERCENT[p.stage] : 0);
