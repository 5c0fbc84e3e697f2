/**
 * Sizes, offsets and 64-bit values as a machine file writes them (SPEC 9, machine file).
 *
 * Accepted forms (all units are binary: K = KiB = 2**10, M = MiB = 2**20, G = GiB = 2**30,
 * T = TiB = 2**40):
 * - a JSON number that is a non-negative integer: `4096`;
 * - a decimal string: `"4096"`, `"1_048_576"`;
 * - a hexadecimal string: `"0x1000"`, `"0xFEB0_0000"` (no unit after hex digits);
 * - a decimal string with a unit, with or without `iB`, with an optional space:
 *   `"4KiB"`, `"512M"`, `"2 GiB"`, `"1T"`.
 * Decimal-looking units (`"KB"`, `"GB"`) and fractions (`"1.5G"`) are refused rather than
 * guessed. Every value must stay within `ADDRESS_LIMIT` (2**53).
 *
 * Failures are `MachineConfigError`s naming the field path. This module parses values; it
 * does not know which fields exist.
 */
import { ADDRESS_LIMIT } from '../base/address.js';
import { hex } from '../base/errors.js';
import { MachineConfigError } from './errors.js';

const UNIT_SHIFT: Readonly<Record<string, number>> = { K: 10, M: 20, G: 30, T: 40 };
const HEX_FORM = /^0[xX]([0-9a-fA-F](?:_?[0-9a-fA-F])*)$/;
const DECIMAL_FORM = /^([0-9](?:_?[0-9])*)(?: ?([KMGT])(iB)?)?$/;
const U64_LIMIT = (1n << 64n) - 1n;

export interface ParseSizeOptions {
  /** Refuse 0 (region and mapping sizes). */
  positive?: boolean;
}

/** What a size must look like, for messages. */
function expected(positive: boolean): string {
  return `must be a ${positive ? 'positive' : 'non-negative'} integer or a size string such as "0x1000", "4096" or "2GiB"`;
}

/**
 * Parses a size, offset or address. `path` names the field in the error
 * (`memory.children[3].size: must be a positive integer`).
 */
export function parseSize(value: unknown, path: string, options: ParseSizeOptions = {}): number {
  const positive = options.positive ?? false;
  const parsed = toBigInt(value);
  if (parsed === undefined) {
    if (typeof value === 'number') {
      throw new MachineConfigError(
        path,
        `must be a ${positive ? 'positive' : 'non-negative'} integer, got ${String(value)}`,
      );
    }
    throw new MachineConfigError(path, `${expected(positive)}, got ${describe(value)}`);
  }
  if (parsed < 0n) {
    throw new MachineConfigError(
      path,
      `must be a ${positive ? 'positive' : 'non-negative'} integer, got ${parsed}`,
    );
  }
  if (positive && parsed === 0n) throw new MachineConfigError(path, 'must be a positive integer');
  if (parsed > BigInt(ADDRESS_LIMIT)) {
    throw new MachineConfigError(path, `${hex(parsed)} is past the address limit 2**53`);
  }
  return Number(parsed);
}

/**
 * Parses a 64-bit guest value (ioeventfd `data`): a non-negative JSON integer up to
 * 2**53, or a decimal or hex string up to 2**64 - 1.
 */
export function parseU64(value: unknown, path: string): bigint {
  const parsed = toBigInt(value, false);
  if (parsed === undefined || parsed < 0n || parsed > U64_LIMIT) {
    throw new MachineConfigError(
      path,
      `must be an unsigned 64-bit value such as 1 or "0xFFFFFFFFFFFFFFFF", got ${describe(value)}`,
    );
  }
  return parsed;
}

/** A size for people: `2 GiB`, `64 KiB`, `0x1234 bytes`. */
export function formatSize(bytes: number): string {
  for (const [unit, shift] of [
    ['TiB', 40],
    ['GiB', 30],
    ['MiB', 20],
    ['KiB', 10],
  ] as const) {
    const scale = 2 ** shift;
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale} ${unit}`;
  }
  return `${hex(bytes)} bytes`;
}

/** The exact integer a value denotes, or `undefined` when it has no accepted form. */
function toBigInt(value: unknown, allowUnits = true): bigint | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? BigInt(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const hexMatch = HEX_FORM.exec(value);
  if (hexMatch) return BigInt(`0x${hexMatch[1]!.replaceAll('_', '')}`);
  const decimalMatch = DECIMAL_FORM.exec(value);
  if (!decimalMatch) return undefined;
  const [, digits, unit] = decimalMatch;
  if (unit !== undefined && !allowUnits) return undefined;
  const base = BigInt(digits!.replaceAll('_', ''));
  return unit === undefined ? base : base << BigInt(UNIT_SHIFT[unit]!);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
