/**
 * The poison pattern of check mode (SPEC 8): what the owner writes over guest memory it
 * reclaimed, so that a reader that still reads it sees a word it can recognise.
 *
 * A fact both sides share, so it lives in the reader room: the owner fills with it
 * (publication/reclaim.ts), readers and checkers compare against it. This module never
 * decides what is reclaimed.
 */

/** The poison word written over retired guest memory in check mode. */
export const POISON_U32 = 0xdeadbeef;
/** Its bytes in memory order (little-endian). */
export const POISON_BYTES: readonly number[] = [0xef, 0xbe, 0xad, 0xde];

/** Fills `bytes` with the poison pattern, aligned to the start of `bytes`. */
export function fillPoison(bytes: Uint8Array): void {
  const n = bytes.length;
  for (let i = 0; i < POISON_BYTES.length && i < n; i++) bytes[i] = POISON_BYTES[i]!;
  for (let filled = POISON_BYTES.length; filled < n; filled *= 2) {
    bytes.copyWithin(filled, 0, Math.min(filled, n - filled));
  }
}

/** Whether a u32 read from guest memory is the poison word. */
export function isPoison(value: number): boolean {
  return value === POISON_U32;
}
