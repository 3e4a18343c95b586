import type { z } from "zod";
import { audienceSchema } from "./audiences.server";

// The audience form's flat fields ↔ an audience definition; shared by the page action and the live-size preview.

const num = (v: FormDataEntryValue | null) => (v === null || String(v).trim() === "" ? undefined : Number(v));
const range = (form: FormData, key: string) => {
  const min = num(form.get(`${key}Min`));
  const max = num(form.get(`${key}Max`));
  return min === undefined && max === undefined ? undefined : { min, max };
};

export function audienceFromForm(form: FormData) {
  const kind = String(form.get("kind") ?? "");
  const list = (key: string) =>
    form
      .getAll(key)
      .flatMap((v) => String(v).split(","))
      .map((s) => s.trim())
      .filter(Boolean);
  const definition =
    kind === "segment"
      ? { kind, segment: String(form.get("segment") ?? "") }
      : kind === "persona"
        ? {
            kind,
            k: num(form.get("k")),
            cluster: num(form.get("cluster")),
            name: String(form.get("personaName") ?? "") || undefined,
          }
        : {
            kind,
            countries: list("countries"),
            segments: list("segments"),
            recency: range(form, "recency"),
            frequency: range(form, "frequency"),
            monetary: range(form, "monetary"),
            cell: form.get("cellR") ? { r: num(form.get("cellR")), fm: num(form.get("cellFm")) } : undefined,
          };
  return audienceSchema.safeParse({ name: String(form.get("name") ?? ""), definition });
}

/** Zod issues as field → message, named as the form's inputs ("definition.recency" → "recencyMin"). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    let field = path[0] === "definition" ? (path[1] ?? "kind") : path[0];
    if (["recency", "frequency", "monetary"].includes(field)) field = `${field}${path[2] === "max" ? "Max" : "Min"}`;
    out[field] ??= issue.message;
  }
  return out;
}
