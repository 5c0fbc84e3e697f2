/**
 * Guest-physical address and range arithmetic (SPEC 1).
 *
 * Addresses, sizes, offsets and host addresses are integers in `[0, ADDRESS_LIMIT]`.
 * All arithmetic on them goes through the checked helpers here: `checkedAdd` returns
 * `undefined` past the limit instead of silently losing precision. Validation of values
 * coming from callers (`checkAddress`, `checkSize`, ...) throws `AddressSpaceError`.
 *
 * The public helpers are StratoVirt's `GuestAddress`/`AddressRange` methods as functions
 * over numbers and `{base, size}` objects: `checkedAdd`, `checkedSub`, `alignUp`,
 * `alignDown`, `offsetFrom`, `rangeEnd`, `findIntersection`, `compareRanges`. Each
 * validates its arguments (a bad one is `InvalidArgument`, one past the limit `Overflow`)
 * and returns `undefined` exactly where StratoVirt returns `None`.
 *
 * This module knows nothing about regions or views.
 */
import { AddressSpaceError, hex } from './errors.js';

/** 2**53: covers every real guest physical address width (at most 52 bits). */
export const ADDRESS_LIMIT = 2 ** 53;

/**
 * A guest-physical range: `base` and `size` in bytes, integers with
 * `base + size <= ADDRESS_LIMIT` (2**53). `size` 0 is an empty range.
 */
export interface AddressRange {
  readonly base: number;
  readonly size: number;
}

/** `a + b`, or `undefined` when the exact sum passes `ADDRESS_LIMIT` (`checked_add`). */
export function checkedAdd(a: number, b: number): number | undefined {
  checkAddress(a, 'checkedAdd address');
  checkSize(b, 'checkedAdd operand');
  return a > ADDRESS_LIMIT - b ? undefined : a + b;
}

/** `a - b`, or `undefined` when it would be below 0 (`checked_sub`). */
export function checkedSub(a: number, b: number): number | undefined {
  checkAddress(a, 'checkedSub address');
  checkSize(b, 'checkedSub operand');
  return a < b ? undefined : a - b;
}

/**
 * `a` rounded up to a multiple of `alignment` (`align_up`), or `undefined` when
 * `alignment` is not a power of two (0 included). Never past the limit: every power of
 * two up to 2**53 divides 2**53, so a valid address aligns to a valid address.
 */
export function alignUp(a: number, alignment: number): number | undefined {
  const addr = checkAddress(a, 'alignUp address');
  const align = checkSize(alignment, 'alignment');
  if (!isPowerOfTwo(align)) return undefined;
  // Division and multiplication by a power of two are exact in binary floating point.
  return Math.ceil(addr / align) * align;
}

/** `a` rounded down to a multiple of `alignment`, or `undefined` when it is not a power of two. */
export function alignDown(a: number, alignment: number): number | undefined {
  const addr = checkAddress(a, 'alignDown address');
  const align = checkSize(alignment, 'alignment');
  if (!isPowerOfTwo(align)) return undefined;
  return Math.floor(addr / align) * align;
}

/**
 * `a - base` (`offset_from`). StratoVirt subtracts unchecked and wraps (or panics) when
 * `a < base`; here that is an `Overflow` error, never a silent wrap.
 */
export function offsetFrom(a: number, base: number): number {
  const addr = checkAddress(a, 'offsetFrom address');
  const b = checkAddress(base, 'offsetFrom base');
  if (addr < b) {
    throw AddressSpaceError.overflow(addr, `offset from base ${hex(b)} would be below 0`);
  }
  return addr - b;
}

/** `r.base + r.size` (`end_addr`): never past the limit, since a valid range ends by it. */
export function rangeEnd(r: AddressRange): number {
  const range = checkAddressRange(r, 'range');
  return range.base + range.size;
}

/**
 * The overlap of `a` and `b` (`find_intersection`), or `undefined` when they do not
 * overlap: `(0,8)∩(8,1)` and `(0,8)∩(0,0)` are `undefined`, `(0,8)∩(5,9)` is `(5,3)`. An
 * empty range overlaps nothing (StratoVirt returns a size-0 range for an empty range
 * strictly inside another, such as `(0,8)∩(5,0)`; an empty result is `undefined` here).
 */
export function findIntersection(a: AddressRange, b: AddressRange): AddressRange | undefined {
  const x = checkAddressRange(a, 'first range');
  const y = checkAddressRange(b, 'second range');
  return intersect(x, y);
}

/** Orders ranges by base, then size (`AddressRange`'s `Ord`): -1, 0 or 1. */
export function compareRanges(a: AddressRange, b: AddressRange): -1 | 0 | 1 {
  const x = checkAddressRange(a, 'first range');
  const y = checkAddressRange(b, 'second range');
  if (x.base !== y.base) return x.base < y.base ? -1 : 1;
  if (x.size !== y.size) return x.size < y.size ? -1 : 1;
  return 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
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

/**
 * Validates a caller-supplied `{base, size}` object: its numbers as `checkRange` does,
 * anything that is not an object with them is `InvalidArgument`.
 */
export function checkAddressRange(value: unknown, what = 'range'): AddressRange {
  if (typeof value !== 'object' || value === null) {
    throw AddressSpaceError.invalidArgument(
      `${what} must be an object {base, size}, got ${describe(value)}`,
    );
  }
  const r = value as { base?: unknown; size?: unknown };
  return checkRange(r.base, r.size, what);
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

/** Intersection of two valid ranges, or `undefined` when it is empty. Unchecked: for callers that validated both. */
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
