import { z } from "zod";
import { DATE_FORMATS } from "./dates";
import { FIELDS } from "./formats";
import { currencySchema, optionalCurrencySchema } from "~/lib/currency";

// Request bodies of the import API and the Data page, validated on the server.

export const columnMapSchema = z
  .object(
    Object.fromEntries(FIELDS.map((f) => [f, z.string().trim().max(200).optional()])) as Record<
      (typeof FIELDS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .strict();

/** `until` (issue 13): keep the lines dated up to this calendar day. */
const untilSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "until must be a day written YYYY-MM-DD")
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d,
    "until is not a calendar day",
  );

export const startImportSchema = z
  .object({
    uploadId: z.uuid({ message: "uploadId must be the id returned by the upload" }),
    name: z.string().trim().min(1, "The name is empty").max(120, "The name is longer than 120 characters").optional(),
    map: columnMapSchema.optional(),
    dateFormat: z.enum(DATE_FORMATS).optional(),
    replace: z.boolean().optional(),
    update: z
      .number({ message: "update must be the id of a data set" })
      .int("update must be the id of a data set")
      .positive("update must be the id of a data set")
      .optional(),
    until: untilSchema.optional(),
    /** ISO 4217 code of the amounts (issue 14); without it, GBP for the Online Retail layouts and plain numbers otherwise. */
    currency: currencySchema.optional(),
  })
  .refine((b) => b.update === undefined || (b.name === undefined && !b.replace), {
    message: "update adds lines to an existing data set: give no name or replace with it",
    path: ["update"],
  });

export const datasetActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("activate"), id: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("delete"), id: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("currency"), id: z.coerce.number().int().positive(), currency: optionalCurrencySchema }),
]);

/**
 * A warehouse table to preview (issue 17): a libpq URL, the table or view of transaction lines, the mapping. The
 * messages name no field: describeIssues puts the field first ("url: give a PostgreSQL URL").
 */
export const warehousePreviewSchema = z.object({
  url: z
    .string({ message: "give a PostgreSQL URL" })
    .trim()
    .min(1, "give a PostgreSQL URL")
    .max(2000, "is longer than 2,000 characters"),
  orders: z
    .string({ message: "name the table of transaction lines" })
    .trim()
    .min(1, "name the table of transaction lines")
    .max(300, "is longer than 300 characters"),
  map: columnMapSchema.optional(),
});

/** A warehouse data set to add: the preview's fields, and its name, currency and optional assignments schema. */
export const warehouseAddSchema = warehousePreviewSchema.extend({
  name: z.string().trim().min(1, "The name is empty").max(120, "The name is longer than 120 characters").optional(),
  currency: optionalCurrencySchema.optional(),
  assignmentsSchema: z.string().trim().max(120, "assignmentsSchema is longer than 120 characters").optional(),
});

/** A warehouse data set to read again (`cli warehouse reread [--dataset ID]`): the active one when none is named. */
export const warehouseRereadSchema = z
  .object({ dataset: z.number({ message: "dataset must be a data set id" }).int().positive().optional() })
  .strict();
