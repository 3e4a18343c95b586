import { json } from "@remix-run/node";
import type { z } from "zod";
import { AppError, STATUS_OF } from "./errors";
import { describeIssues } from "./validation";

// How every JSON route answers a problem: {"error": "<one line>"} with the status that says whose fault it is.

export function jsonError(message: string, status: number) {
  return json({ error: message }, { status });
}

/** The answer to an error the user can act on (its code gives the status); any other error is rethrown. */
export function appErrorResponse(err: unknown) {
  if (err instanceof AppError) return jsonError(err.message, STATUS_OF[err.code]);
  throw err;
}

type Read<T> = { ok: true; data: T } | { ok: false; response: ReturnType<typeof jsonError> };

/** The largest JSON body a route reads (#12 item 4): 300,000 result sets blocked the server for 31 s. */
const MAX_JSON_BYTES = 1_000_000;

/** The request's body as text, or null once it passes `limit` bytes (read no further). */
async function readLimited(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The request's JSON body, or a 413 when it is over the limit, or a 400 saying it is not JSON; with `empty`, a body of
 * nothing (or white space) reads as that value (the experiment steps that need no body).
 */
export async function readJson(request: Request, limit = MAX_JSON_BYTES, empty?: unknown): Promise<Read<unknown>> {
  const text = await readLimited(request, limit).catch(() => "");
  if (text === null)
    return {
      ok: false,
      response: jsonError(`The body is over ${limit.toLocaleString("en-GB")} bytes, the most this server reads`, 413),
    };
  if (empty !== undefined && !text.trim()) return { ok: true, data: empty };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: jsonError("The body is not JSON", 400) };
  }
}

/**
 * The request's JSON body validated by `schema` (or by the schema chosen for the body's shape, so that messages name
 * the field where a union would only say "Invalid input"), or a 400 naming every problem.
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S | ((body: unknown) => S),
  { empty }: { empty?: unknown } = {},
): Promise<Read<z.output<S>>> {
  const body = await readJson(request, MAX_JSON_BYTES, empty);
  if (!body.ok) return body;
  const parsed = (typeof schema === "function" ? schema(body.data) : schema).safeParse(body.data);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, response: jsonError(describeIssues(parsed.error), 400) };
}

/** 405 for a method the route does not take, with the methods it does in `Allow` (RFC 9110 §15.5.6). */
export function methodNotAllowed(allow: string[]) {
  return json(
    { error: `Method not allowed: use ${allow.join(" or ")}` },
    { status: 405, headers: { Allow: allow.join(", ") } },
  );
}
