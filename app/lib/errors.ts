// Errors the user can act on carry a code; callers decide on the code, never on the wording of the message.

/** invalid: the input is wrong; not-found: what it names does not exist; conflict: it clashes with what is stored. */
export type ErrorCode = "invalid" | "not-found" | "conflict";

export const STATUS_OF: Record<ErrorCode, number> = { invalid: 400, "not-found": 404, conflict: 409 };

export class AppError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = "invalid",
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function errorCode(err: unknown): ErrorCode | null {
  return err instanceof AppError ? err.code : null;
}

/** The `code` a driver or Node puts on its errors (SQLITE_BUSY, EPERM, ENOENT…), or undefined. */
export function systemErrorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

/** What an error says, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
