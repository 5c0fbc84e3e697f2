/**
 * The checks every option resolver shares (the run options in options.ts, the bench
 * options in src/bench): `OptionsError`, and one small validator per kind of value, each
 * naming the option's path in its message (`vcpus: must be an integer between 1 and 64`).
 * They know no option names and no defaults of their own, and never read files.
 */
import { AddressSpaceError } from '../base/errors.js';

/** The longest run, in seconds (a day). */
export const MAX_DURATION_SECONDS = 86_400;
/** The highest churn rate one can ask for, in updates per second. */
export const MAX_CHURN_RATE = 1_000_000;

/** A bad option value. `path` names the option (`vcpus`, `churn[2]`). */
export class OptionsError extends AddressSpaceError {
  readonly path: string;
  readonly problem: string;

  constructor(path: string, problem: string) {
    super('InvalidArgument', `${path}: ${problem}`);
    this.name = 'OptionsError';
    this.path = path;
    this.problem = problem;
  }
}

/** `options` as a record whose every key is one of `known`. */
export function asRecord(options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionsError('options', 'must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new OptionsError(key, 'unknown option');
  }
  return options as Record<string, unknown>;
}

/** Only `undefined` means "use the default"; `null` and the rest are checked as given. */
export function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

export function integerBetween(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(path, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function seconds(value: unknown, path: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_DURATION_SECONDS
  ) {
    throw new OptionsError(
      path,
      `must be a number of seconds greater than 0 and at most ${MAX_DURATION_SECONDS}`,
    );
  }
  return value;
}

/** The `churnRate` option of both resolvers. */
export function churnRate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_CHURN_RATE) {
    throw new OptionsError(
      'churnRate',
      `must be a number of updates per second between 0 and ${MAX_CHURN_RATE}`,
    );
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    const got = typeof value === 'string' ? `, got "${value}"` : '';
    throw new OptionsError(path, `must be one of ${allowed.join(', ')}${got}`);
  }
  return value as T;
}

export function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new OptionsError(path, 'must be true or false');
  return value;
}

export function filePath(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OptionsError(path, 'must be a file path');
  }
  return value;
}

/** `'a, b'` → `['a', 'b']`; an empty or blank text is an empty list. */
export function splitList(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}

/** `'4'` → 4; anything that is not a plain decimal integer stays text (and fails later). */
export function numberOrText(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}
