import { z } from "zod";
import { DATE_FORMATS } from "./dates";
import { FIELDS } from "./formats";

// Request bodies of the import API and the Data page, validated on the server.

export const columnMapSchema = z
  .object(Object.fromEntries(FIELDS.map((f) => [f, z.string().trim().max(200).optional()])) as Record<(typeof FIELDS)[number], z.ZodOptional<z.ZodString>>)
  .strict();

export const startImportSchema = z.object({
  uploadId: z.uuid({ message: "uploadId must be the id returned by the upload" }),
  name: z.string().trim().min(1, "The name is empty").max(120, "The name is longer than 120 characters").optional(),
  map: columnMapSchema.optional(),
  dateFormat: z.enum(DATE_FORMATS).optional(),
  replace: z.boolean().optional(),
});

export const datasetActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("activate"), id: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("delete"), id: z.coerce.number().int().positive() }),
]);
