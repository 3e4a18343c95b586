import { parseArgs, type ParseArgsConfig } from "node:util";
import { messageOf } from "~/lib/errors";

export class UsageError extends Error {}

/** node:util parseArgs with errors turned into one-line usage messages. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(messageOf(err).split("\n")[0]);
  }
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  const n = wholeNumber(value, flag);
  if (n === 0) throw new UsageError(`${flag} expects a positive whole number, got "${value}"`);
  return n;
}

export function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}
