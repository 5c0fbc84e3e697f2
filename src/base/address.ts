/**
 * Guest-physical address and range arithmetic (SPEC 1).
 *
 * Addresses, sizes, offsets and host addresses are integers in `[0, ADDRESS_LIMIT]`.
 * All arithmetic on them goes through the checked helpers here: `checkedAdd` returns
 * `undefined` past the limit instead of silently losing precision. Validation of values
 * coming from callers (`checkAddress`, `checkSize`, ...) throws `AddressSpaceError`.
 * This module knows nothing about regions or views.
 */
import { AddressSpaceError, hex } from './errors.js';

/** 2**53: covers every real guest physical address width (at most 52 bits). */
export const ADDRESS_LIMIT = 2 ** 53;

export interface AddressRange {
  readonly base: number;
  readonly size: number;
}

/** `a + b`, or `undefined` when the exact sum passes `ADDRESS_LIMIT`. Both must be valid. */
export function checkedAdd(a: number, b: number): number | undefined {
  return a > ADDRESS_LIMIT - b ? undefined : a + b;
}

/** `a - b`, or `undefined` when negative. */
export function checkedSub(a: number, b: number): number | undefined {
  return a < b ? undefined : a - b;
}

/**
 * Validates a caller-supplied address-like integer. `what` names it in the message.
 * NaN, fractions, negatives and non-numbers are `InvalidArgument`; values past the limit
 * are `Overflow`.
 */
export function checkAddress(value: unknown, what = 'address'): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw AddressSpaceError.invalidArgument(`${what} must be a number, got ${describe(value)}`);
  }
  if (value === Number.POSITIVE_INFINITY || value > ADDRESS_LIMIT) {
    throw new AddressSpaceError(
      'Overflow',
      `Address overflows, addr is ${Number.isFinite(value) ? hex(Math.floor(value)) : String(value)}: ${what} is past 2**53`,
      { address: value },
    );
  }
  if (!Number.isInteger(value) || value < 0) {
    throw AddressSpaceError.invalidArgument(
      `${what} must be a non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}

/** Same checks as `checkAddress`, for sizes and offsets. */
export function checkSize(value: unknown, what = 'size'): number {
  return checkAddress(value, what);
}

/** Validates `{base, size}` with `base + size <= ADDRESS_LIMIT`. */
export function checkRange(base: unknown, size: unknown, what = 'range'): AddressRange {
  const b = checkAddress(base, `${what} base`);
  const s = checkSize(size, `${what} size`);
  if (checkedAdd(b, s) === undefined) {
    throw AddressSpaceError.overflow(b, `${what} size ${hex(s)} passes 2**53`);
  }
  return { base: b, size: s };
}

/** A signed integer (priorities). */
export function checkInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw AddressSpaceError.invalidArgument(
      `${what} must be a safe integer, got ${describe(value)}`,
    );
  }
  return value;
}

/** End of a valid range (exclusive). Unchecked: callers validated the range already. */
export function rangeEndUnchecked(r: AddressRange): number {
  return r.base + r.size;
}

export function rangeContains(r: AddressRange, addr: number): boolean {
  return addr >= r.base && addr - r.base < r.size;
}

/** Intersection of two ranges, or `undefined` when it is empty. */
export function intersect(a: AddressRange, b: AddressRange): AddressRange | undefined {
  const base = Math.max(a.base, b.base);
  const end = Math.min(a.base + a.size, b.base + b.size);
  return end > base ? { base, size: end - base } : undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : String(value);
}
