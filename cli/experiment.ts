import { readFile } from "node:fs/promises";
import type { Db } from "~/db/db.server";
import { openCliDb } from "./db";
import { activeDatasetId } from "~/db/datasets.server";
import { DECISIONS, type RecordedDecision } from "~/experiments/decisions";
import { parseDesignInput } from "~/experiments/design-input";
import { saveExperiment } from "~/experiments/experiments.server";
import { startWithWarehouseCopy } from "~/experiments/warehouse-assignments.server";
import { assignmentRows, getExperiment } from "~/experiments/store.server";
import {
  archiveExperiment,
  cloneExperiment,
  decideExperiment,
  deleteExperiment,
  experimentJson,
  restoreExperiment,
  stopExperiment,
} from "~/experiments/lifecycle.server";
import { experimentsTable } from "~/experiments/list.server";
import { toCsv } from "~/lib/csv";
import { AppError, messageOf } from "~/lib/errors";
import { describeIssues } from "~/lib/validation";
import { parse, positiveInt, UsageError } from "./args";
import { EXPERIMENT_USAGE } from "./usage";

// `experiment <sub>`: the life of a test from the command line (issues 13 and 16), the same store functions as the pages
// and the REST routes. Every error is one line on stderr and exit 2; each step is one transaction, so a refused step
// changes nothing.

const OPTIONS = {
  db: { type: "string" },
  json: { type: "boolean" },
  input: { type: "string" },
  "start-date": { type: "string" },
  reason: { type: "string" },
  decision: { type: "string" },
  note: { type: "string" },
  confirm: { type: "string" },
} as const;
type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

const out = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);

export async function experimentCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, OPTIONS) as { values: Values; positionals: string[] };
  const needsId = sub !== "create" && sub !== "list";
  if (!sub || !SUBS.includes(sub) || positionals.length !== (needsId ? 1 : 0))
    throw new UsageError(`usage: ${EXPERIMENT_USAGE}`);
  const id = needsId ? positiveInt(positionals[0], "the experiment ID")! : 0;
  const design = sub === "create" ? await readDesign(values.input) : null;
  const db = openCliDb(values.db);
  try {
    await run(db, sub, id, values, design);
  } catch (err) {
    // a step the experiment refuses (its state, a name, a date, a floor) is the user's to fix: one line, exit 2
    if (err instanceof AppError) throw new UsageError(err.message);
    throw err;
  } finally {
    db.$client.close();
  }
}

const SUBS = [
  "create",
  "list",
  "show",
  "start",
  "assignment",
  "stop",
  "decide",
  "clone",
  "archive",
  "restore",
  "delete",
];

async function readDesign(path: string | undefined) {
  if (!path) throw new UsageError("experiment create needs --input DESIGN.json");
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--input ${path}: ${messageOf(err).split("\n")[0]}`);
  }
  const parsed = parseDesignInput(raw);
  if (!parsed.success) throw new UsageError(`invalid design: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function datasetOf(db: Db): number {
  const id = activeDatasetId(db);
  if (id === null) throw new UsageError("no data set yet: import one first");
  return id;
}

/** The experiment must belong to the active data set, as in the pages and the API. */
function mine(db: Db, id: number) {
  const e = getExperiment(db, id);
  if (!e || e.datasetId !== datasetOf(db))
    throw new UsageError(`experiment ${id} does not exist in the active data set`);
  return e;
}

async function run(
  db: Db,
  sub: string,
  id: number,
  values: Values,
  design: ReturnType<typeof parseDesignInput>["data"] | null,
) {
  const json = values.json ?? false;
  const show = (eid: number, text: string) => out(json ? JSON.stringify(experimentJson(db, eid)) : text);
  switch (sub) {
    case "create": {
      const newId = saveExperiment(db, datasetOf(db), design!);
      return show(newId, `created experiment ${newId} (draft): ${design!.name}`);
    }
    case "list": {
      const rows = experimentsTable(db, datasetOf(db));
      if (json) return out(JSON.stringify(rows));
      return out(
        rows.length
          ? rows.map((r) => `${String(r.id).padStart(4)}  ${r.status.padEnd(9)}  ${r.name}  (${r.audience})`).join("\n")
          : "no experiments yet",
      );
    }
    case "show": {
      const e = experimentJson(db, mine(db, id).id);
      return out(
        json
          ? JSON.stringify(e)
          : [
              `${e.id} ${e.name}: ${e.status}${e.archived ? " (archived)" : ""}${e.decision ? `, decided ${e.decision}` : ""}`,
              `  start day ${e.startDate ?? "–"}; arms ${e.arms.map((a) => `${a.name} ${Math.round(a.share * 100)}% (${a.assigned} assigned)`).join(", ")}`,
              `  results: ${e.results ? `${e.results.source}${e.results.rehearsal ? " (REHEARSAL)" : ""}` : "none"}`,
              ...e.history.map((h) => `  ${h.at.slice(0, 19)} ${h.action}${h.note ? `: ${h.note}` : ""}`),
            ].join("\n"),
      );
    }
    case "start": {
      mine(db, id);
      // issue 17: a warehouse data set naming an assignments schema gets a copy there (the start stands if it fails)
      const r = await startWithWarehouseCopy(db, id, { startDate: values["start-date"] });
      // an underpowered start proceeds: scripts keep working, the warning goes to stderr (and into the JSON)
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      const e = getExperiment(db, id)!;
      const perArm = e.design.arms.map((a, i) => ({ arm: a.name, customers: r.perArm[i] }));
      return out(
        json
          ? JSON.stringify({
              id,
              status: e.status,
              startDate: r.startDate,
              assigned: r.assigned,
              perArm,
              power: r.power,
              warnings: r.warnings,
            })
          : `started experiment ${id} on ${r.startDate}: ${perArm.map((a) => `${a.arm} ${a.customers}`).join(", ")}`,
      );
    }
    case "assignment": {
      const e = mine(db, id);
      if (e.status === "draft") throw new UsageError(`experiment ${id} is a draft: start it to assign customers`);
      return out(
        toCsv(
          ["customer_id", "arm"],
          assignmentRows(db, id).map((a) => [a.customerId, e.design.arms[a.arm].name]),
        ).trimEnd(),
      );
    }
    case "stop":
      mine(db, id);
      stopExperiment(db, id, values.reason);
      return show(id, `stopped experiment ${id} early: completed`);
    case "decide": {
      mine(db, id);
      if (!DECISIONS.includes(values.decision as RecordedDecision))
        throw new UsageError(`--decision must be ${DECISIONS.join("|")}`);
      decideExperiment(db, id, values.decision as RecordedDecision, values.note);
      return show(id, `decided experiment ${id}: ${values.decision}`);
    }
    case "clone": {
      mine(db, id);
      const copy = cloneExperiment(db, id);
      return show(copy, `cloned experiment ${id} as draft ${copy}`);
    }
    case "archive":
      mine(db, id);
      archiveExperiment(db, id);
      return show(id, `archived experiment ${id}`);
    case "restore":
      mine(db, id);
      restoreExperiment(db, id);
      return show(id, `restored experiment ${id}`);
    case "delete": {
      const e = mine(db, id);
      if (e.status !== "draft" && values.confirm === undefined)
        throw new UsageError(
          `experiment ${id} has started: add --confirm "${e.name}" to delete it with its assignment and results`,
        );
      deleteExperiment(db, id, values.confirm);
      return out(json ? JSON.stringify({ deleted: id }) : `deleted experiment ${id}`);
    }
  }
}
