import type { z } from "zod";

// Generic validation helpers, shared by every stage's forms and bodies, the routes and the CLI.

/** One line naming every problem of a failed parse. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
