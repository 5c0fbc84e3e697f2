/**
 * The fast path of `AccessGenerator.fill` for the workloads that only touch RAM with one
 * rule per access: `seq` (the sweep) and `random` (uniform over the slots, fewer than
 * 2**32 of them). The xoshiro128** steps are written out on local variables, so a block
 * costs a few integer operations per access and no call; the draws are those of
 * `Prng.nextFloat` / `nextUint32` / `below` in the same order, so the stream is the one
 * `AccessGenerator.next` gives (the stream tests compare both against recorded streams).
 *
 * It reads and writes only what it is given: the PRNG words, the range tables, the block.
 */
import { ACCESS_READ, ACCESS_WRITE, type AccessBlock, RAM_ACCESS } from './access-block.js';

const TWO_POW_32 = 2 ** 32;

/** What one fast fill needs; `state` holds the PRNG words (in/out). */
export interface RamFillInput {
  readonly state: Int32Array;
  readonly sweep: boolean;
  readonly accessSize: number;
  /** Writes happen when the draw, as an uint32, is below this (1 - readRatio, times 2**32). */
  readonly writeBelow: number;
  readonly totalSlots: number;
  readonly rangeStarts: Float64Array;
  /** First slot of each range, then the total. */
  readonly rangeFirstSlot: Float64Array;
}

/**
 * A position in such a stream, for the slice's fused path (`vcpu-ram-batch.ts`), which
 * generates and performs each access in one loop: the PRNG words in `state`, the sweep
 * cursor (a slot index) and the range holding it. `AccessGenerator.openRamRun` fills it
 * from the generator, `closeRamRun` takes it back.
 */
export interface RamStream extends RamFillInput {
  cursor: number;
  range: number;
  /**
   * `writeBelow` as a signed comparison: a draw `r` (int32) is a write when
   * `(r ^ 0x80000000) < writeLimit`. An int32 (`writeBelow` < 2**32: some reads).
   */
  readonly writeLimit: number;
  /** Every address of every range, plus the access size, fits in an int32. */
  readonly int32Addresses: boolean;
  /**
   * A `hot` stream (`sweep` false): each access first draws whether it goes to the hot
   * pages (`hotBase`, `hotSlots` slots each) with probability `hotFraction`.
   */
  readonly hot: boolean;
  readonly hotFraction: number;
  readonly hotBase: Float64Array;
  readonly hotSlots: Float64Array;
}

/** The largest address end an int32 sweep may reach (`RamStream.int32Addresses`). */
export const INT32_ADDRESS_END = 2 ** 31 - 1;

/**
 * Fills `count` accesses into `block` starting at sweep position `cursor` in range
 * `range`; returns the new cursor (the caller keeps it; `random` leaves it as it was).
 */
export function fillRam(
  input: RamFillInput,
  block: AccessBlock,
  count: number,
  cursor: number,
  range: number,
): number {
  const st = input.state;
  let s0 = st[0]! | 0;
  let s1 = st[1]! | 0;
  let s2 = st[2]! | 0;
  let s3 = st[3]! | 0;
  const { gpa: gpas, kind: kinds, value: values } = block;
  const highs = block.valueHigh;
  const size = input.accessSize;
  if (block.uniformSize !== size) {
    block.size.fill(size);
    block.target.fill(RAM_ACCESS);
    block.uniformSize = size;
  }
  const wide = size === 8;
  // nextFloat() < 1 - readRatio, as a signed int32 comparison of the draw (a float64
  // comparison cost about a nanosecond per access); readRatio 0 has no int32 bound.
  const allWrites = !(input.writeBelow < TWO_POW_32);
  const writeLimit = allWrites ? 0 : (Math.ceil(input.writeBelow) - 2 ** 31) | 0;
  const total = input.totalSlots;
  const starts = input.rangeStarts;
  const firsts = input.rangeFirstSlot;
  const sweep = input.sweep;
  const oneRange = starts.length === 1;
  let rangeEnd = firsts[range + 1]!;
  let seqGpa = starts[range]! + (cursor - firsts[range]!) * size;
  let r = 0;
  let t = 0;
  for (let i = 0; i < count; i++) {
    let gpa: number;
    if (sweep) {
      gpa = seqGpa;
      cursor++;
      seqGpa += size;
      if (cursor === rangeEnd) {
        if (cursor === total) {
          cursor = 0;
          range = 0;
        } else {
          range++;
        }
        rangeEnd = firsts[range + 1]!;
        seqGpa = starts[range]!;
      }
    } else {
      // below(total): floor(nextFloat() * total).
      r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const slot = Math.floor(((r >>> 0) / TWO_POW_32) * total);
      gpa = oneRange ? starts[0]! + slot * size : gpaOfSlot(starts, firsts, slot, size);
    }
    gpas[i] = gpa;
    // The direction: nextFloat() < 1 - readRatio.
    r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    if (allWrites || (r ^ 0x80000000) < writeLimit) {
      kinds[i] = ACCESS_WRITE;
      r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      values[i] = r >>> 0;
      if (wide) {
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        highs[i] = r >>> 0;
      }
    } else {
      kinds[i] = ACCESS_READ;
    }
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  block.length = count;
  return cursor;
}

/** The address of `slot` over several ranges (a binary search of the first slots). */
export function gpaOfSlot(
  starts: Float64Array,
  firsts: Float64Array,
  slot: number,
  size: number,
): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (firsts[mid]! <= slot) lo = mid;
    else hi = mid - 1;
  }
  return starts[lo]! + (slot - firsts[lo]!) * size;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
