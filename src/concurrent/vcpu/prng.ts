/**
 * A small, fast, seeded pseudo-random generator for workloads: xoshiro128** on four
 * int32 words, seeded through splitmix32.
 *
 * Deterministic (same seed, same sequence on every thread), allocation-free per draw, and
 * its whole state is four integers so a vCPU can save it into shared memory at the end of
 * a slice and resume it on another thread. Not for anything cryptographic, and it never
 * decides what a workload does with its numbers (that is `access-pattern.ts`).
 */

/** One splitmix32 step: a well-mixed 32-bit value from a counter. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/** Number of int32 words in a saved generator state. */
export const PRNG_STATE_WORDS = 4;

const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed` (any number; its low 32 bits count). */
  reseed(seed: number): void {
    let x = seed | 0;
    x = splitmix32(x);
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    // An all-zero state would stay zero forever.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as a signed int32. */
  nextInt32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result | 0;
  }

  /** The next 32 random bits as an unsigned integer in [0, 2**32). */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** A uniform double in [0, 1) with 32 bits of randomness (enough for ratios). */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A uniform double in [0, 1) with 53 bits of randomness (for indices past 2**32). */
  nextFloat53(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2**53. */
  below(n: number): number {
    return n <= TWO_POW_32 ? Math.floor(this.nextFloat() * n) : Math.floor(this.nextFloat53() * n);
  }

  /** Writes the four state words at `at` (for resuming on another thread). */
  save(into: Int32Array, at: number): void {
    into[at] = this.s0;
    into[at + 1] = this.s1;
    into[at + 2] = this.s2;
    into[at + 3] = this.s3;
  }

  /** Restores a state written by `save`. */
  restore(from: Int32Array, at: number): void {
    this.s0 = from[at]! | 0;
    this.s1 = from[at + 1]! | 0;
    this.s2 = from[at + 2]! | 0;
    this.s3 = from[at + 3]! | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
