/**
 * Dirty-page bitmaps (SPEC 10): one bit per 4 KiB page of a `HostMemMapping`, in a
 * SharedArrayBuffer of Int32 words (bit `p & 31` of word `p >>> 5` is page `p`), so that
 * every thread that writes the mapping's bytes can mark what it wrote.
 *
 * Protocol (why no mark is lost): a writer stores its bytes first and marks after, with
 * `Atomics.or` (a locked read-modify-write, so its data stores are visible before the
 * mark is). The collector (`takeDirtyPages`, owner thread) takes each non-zero word with
 * `Atomics.exchange(word, 0)` and copies the pages it names afterwards. A write whose mark
 * came before the exchange is seen by the copy; a write whose mark came after it leaves
 * its bit set for the next collection. A mark is never skipped because the bit already
 * looked set: that bit may be taken by a collection that copies the page before the
 * write's bytes land.
 *
 * This module only sets and collects bits; who marks, and when logging is on, is decided
 * by the address space (core) and the readers (concurrent/reader).
 */
import { PAGE_SHIFT, PAGE_SIZE } from '../base/constants.js';

/** Bytes of the bitmap of a mapping of `size` bytes (whole Int32 words, at least one). */
export function dirtyBitmapBytes(size: number): number {
  const pages = Math.ceil(size / PAGE_SIZE);
  return Math.max(1, Math.ceil(pages / 32)) * 4;
}

/** Marks the pages of `[offset, offset + len)` (len > 0) dirty. */
export function markDirtyPages(bitmap: Int32Array, offset: number, len: number): void {
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((offset + len - 1) / PAGE_SIZE);
  for (let p = first; p <= last; p++) Atomics.or(bitmap, p >>> 5, 1 << (p & 31));
}

/** Marks the one page holding byte `offset` (the readers' per-write path). */
export function markDirtyPage(bitmap: Int32Array, offset: number): void {
  const p = offset >>> PAGE_SHIFT;
  Atomics.or(bitmap, p >>> 5, 1 << (p & 31));
}

/**
 * Takes (reads and clears) every dirty bit and pushes the page indexes, ascending, onto
 * `out`. Returns how many it pushed.
 */
export function takeDirtyPages(bitmap: Int32Array, out: number[]): number {
  let n = 0;
  for (let w = 0; w < bitmap.length; w++) {
    // A plain read skips clean words; a bit set meanwhile is taken by the next collection.
    if (bitmap[w] === 0) continue;
    let bits = Atomics.exchange(bitmap, w, 0);
    while (bits !== 0) {
      const low = bits & -bits;
      out.push(w * 32 + (31 - Math.clz32(low)));
      n++;
      bits ^= low;
    }
  }
  return n;
}

/** Clears every bit (logging starts from an empty log). */
export function clearDirtyPages(bitmap: Int32Array): void {
  for (let w = 0; w < bitmap.length; w++) if (bitmap[w] !== 0) Atomics.store(bitmap, w, 0);
}
