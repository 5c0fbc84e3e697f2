/**
 * Little-endian encoding and validation of the typed guest values of `readU8`...
 * `writeU64` (SPEC 1, 5): 8 to 32-bit values are `number`s, 64-bit values `bigint`s.
 * Nothing here touches memory.
 */
import { AddressSpaceError } from './errors.js';

const U64_LIMIT = 1n << 64n;
/** The largest 64-bit value. */
export const U64_MAX = U64_LIMIT - 1n;

/** Validates an unsigned value that fits `size` bytes (1, 2 or 4). */
export function checkUnsigned(value: unknown, size: number): number {
  const limit = 2 ** (8 * size);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw AddressSpaceError.invalidArgument(
      `value must be an integer in [0, 2**${8 * size}), got ${typeof value === 'bigint' ? `${value}n` : String(value)}`,
    );
  }
  return value;
}

/** Validates a 64-bit value: a bigint in [0, 2**64). */
export function checkU64(value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= U64_LIMIT) {
    throw AddressSpaceError.invalidArgument(
      `value must be a bigint in [0, 2**64), got ${typeof value === 'bigint' ? `${value}n` : String(value)}`,
    );
  }
  return value;
}

export function encodeU64(value: unknown): Uint8Array {
  checkU64(value);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value as bigint, true);
  return b;
}

export function decodeU64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}
