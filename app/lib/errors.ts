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
