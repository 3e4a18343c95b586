import { REPORT_NAMES } from "~/analytics/reports";

// Every command's usage line, apart from the commands themselves: `cli --help` prints them without loading any.

export const IMPORT_USAGE =
  "import FILE [--workspace NAME | --update NAME] [--until YYYY-MM-DD] [--map field=column ...] [--date-format FMT] [--currency CODE] [--replace] [--db PATH] [--json]";
export const WAREHOUSE_USAGE =
  "warehouse (add --url URL --orders TABLE [--map field=column ...] [--workspace NAME] [--assignments-schema NAME] [--currency CODE] | preview --url URL --orders TABLE [--map field=column ...] | reread [--dataset ID]) [--db PATH] [--json]";
export const CURRENCY_USAGE = "currency CODE|none [--dataset ID] [--db PATH] [--json]";
export const ANALYZE_USAGE =
  'analyze (--input FILE.json | --experiment ID) [--db PATH] [--json]   (each result set may name "engine": "fixed"|"sequential"|"bayesian", "prior", "sequential": {"tuning": N}, "inverse")';
export const CLV_USAGE = "clv [--calibration-end YYYY-MM-DD] [--customers] [--db PATH] [--json]";
export const PLAN_USAGE = "plan --budget X (--input FILE.json | --learned [--borrow] [--db PATH]) [--json]";
export const POWER_USAGE =
  "power [--metric proportion|mean] [--baseline P] [--mean M --sd S] [--mde X] [--relative] [--alpha A] [--power B] [--sides 1|2] [--ratio R] [--arms K] [--method pooled|arcsine|t|z] [--n N] [--input FILE.json] [--json]";
export const REPORT_USAGE = `report <${REPORT_NAMES.join("|")}> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--country NAME] [--db PATH] [--json]`;
export const SEED_USAGE = "seed [--lines N] [--seed S] [--out FILE] [--workspace NAME] [--db PATH] [--json]";
export const SEGMENTS_USAGE = "segments [--k K] [--members] [--db PATH] [--json]";
export const RESULTS_USAGE =
  "results (measure ID | simulate ID --seed S --lift ARM=X [--lift ARM=X ...] [--spend-lift ARM=X ...] | upload ID FILE [--absent zero|exclude] [--accept]) [--db PATH] [--json]";
export const EXPERIMENT_USAGE =
  "experiment (create --input DESIGN.json | list | show ID | start ID [--start-date YYYY-MM-DD] | assignment ID | stop ID [--reason TEXT] | decide ID --decision ship|dont-ship|inconclusive [--note TEXT] | clone ID | archive ID | restore ID | delete ID [--confirm NAME]) [--db PATH] [--json]";
