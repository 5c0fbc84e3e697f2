/**
 * How the CLI reports failure: `UsageError` for bad command lines, one readable line
 * `addrspace: <message>` for any error (the stack only with --debug), and the exit status
 * that goes with it (SPEC 9): 2 for bad usage and for bad input that the library rejects
 * with `InvalidArgument` (options, machine files), 1 for anything else (a run's own
 * status, 0, 1 or 3, comes from its report: run-command.ts). It never exits
 * the process itself.
 */
import { AddressSpaceError } from '../base/errors.js';

export const EXIT_OK = 0;
/** The checker found a violation, or the command failed. */
export const EXIT_FAILURE = 1;
/** Bad usage or a bad machine file. */
export const EXIT_USAGE = 2;
/**
 * The run could not keep itself whole (SPEC 11): a worker died or a device or listener
 * failed without being injected, an end-of-run check could not run, an injected fault was
 * not survived. The report's `failures` says which.
 */
export const EXIT_RUN_FAILED = 3;

/** A command line the CLI cannot accept. `flag` names the flag when there is one. */
export class UsageError extends AddressSpaceError {
  readonly flag: string | undefined;

  constructor(message: string, flag?: string) {
    super('InvalidArgument', message);
    this.name = 'UsageError';
    this.flag = flag;
  }
}

/** The exit status for an error: 2 for `InvalidArgument`, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  return error instanceof AddressSpaceError && error.code === 'InvalidArgument'
    ? EXIT_USAGE
    : EXIT_FAILURE;
}

/**
 * The text to print for an error: one line `addrspace: <first line of the message>`, or
 * with `debug` that line followed by the stack and the chain of causes.
 */
export function formatError(error: unknown, debug = false): string {
  const line = `addrspace: ${firstLine(messageOf(error))}`;
  if (!debug) return `${line}\n`;
  const parts = [line];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      parts.push(
        depth === 0 ? (current.stack ?? '') : `caused by: ${current.stack ?? current.message}`,
      );
      current = current.cause;
    } else {
      if (depth > 0) parts.push(`caused by: ${String(current)}`);
      current = undefined;
    }
  }
  return `${parts.join('\n')}\n`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim();
}
