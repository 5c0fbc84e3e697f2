/**
 * `RangeStore`: the sorted flat ranges of one view, kept in chunks of a few hundred so
 * that a change replaces a few chunks and shares the rest with the previous view. One
 * change to a 100k-range view costs O(chunks + changed pieces), not a 100k-element copy.
 *
 * A store is immutable; `replace` returns a new one. `toArray()` materialises (and
 * caches) the plain array for callers that want one. It knows nothing about rendering.
 */
import type { FlatRange } from './flat-view.js';

/** Default chunk length. Chunks are cut to at most this size and merged when small. */
export const DEFAULT_CHUNK = 256;

/** Old ranges `[from, to)` (global indices) become `pieces`. */
export interface RangeEdit {
  readonly from: number;
  readonly to: number;
  readonly pieces: readonly FlatRange[];
}

export class RangeStore {
  readonly length: number;
  /**
   * The ranges in chunks. Neighbouring views share unchanged chunks by identity, so a
   * consumer can find what a change touched in O(chunks) (the publisher does). Read-only.
   */
  readonly chunks: readonly (readonly FlatRange[])[];
  /** Global index of each chunk's first range. */
  private readonly firstIndex: readonly number[];
  /** Base address of each chunk's first range. */
  private readonly firstBase: readonly number[];
  /** Chunk length this store and its successors cut to. */
  readonly chunkSize: number;
  #array: readonly FlatRange[] | undefined;

  /**
   * `firstBase` and `lengths`, when given, are each chunk's first base and length
   * (`replace` carries them over for shared chunks, so a change does not load the first
   * range of every chunk again).
   */
  private constructor(
    chunks: readonly (readonly FlatRange[])[],
    chunkSize: number,
    array?: readonly FlatRange[],
    firstBase?: number[],
    lengths?: readonly number[],
  ) {
    this.chunks = chunks;
    this.chunkSize = chunkSize;
    const firstIndex: number[] = new Array(chunks.length);
    const bases: number[] = firstBase ?? new Array(chunks.length);
    let n = 0;
    for (let c = 0; c < chunks.length; c++) {
      firstIndex[c] = n;
      if (firstBase === undefined) bases[c] = chunks[c]![0]!.addrRange.base;
      n += lengths === undefined ? chunks[c]!.length : lengths[c]!;
    }
    this.firstIndex = firstIndex;
    this.firstBase = bases;
    this.length = n;
    this.#array = array;
  }

  static readonly EMPTY = new RangeStore([], DEFAULT_CHUNK, Object.freeze([]));

  /** Takes ownership of `list` (it is frozen and kept as the `toArray()` answer). */
  static fromArray(list: readonly FlatRange[], chunkSize = DEFAULT_CHUNK): RangeStore {
    const chunks: FlatRange[][] = [];
    splitInto(list, chunks, chunkSize);
    return new RangeStore(chunks, chunkSize, Object.freeze(list));
  }

  /** The ranges as one frozen array (built once per store). */
  toArray(): readonly FlatRange[] {
    if (this.#array === undefined) {
      this.#array = Object.freeze(([] as FlatRange[]).concat(...this.chunks));
    }
    return this.#array;
  }

  at(i: number): FlatRange | undefined {
    if (i < 0 || i >= this.length) return undefined;
    if (this.#array !== undefined) return this.#array[i];
    const c = lastAtOrBelow(this.firstIndex, i);
    return this.chunks[c]![i - this.firstIndex[c]!];
  }

  /** Index of the first range whose base is `>= addr` (`length` if none). */
  lowerBound(addr: number): number {
    const c = lastBelow(this.firstBase, addr);
    if (c < 0) return 0;
    const chunk = this.chunks[c]!;
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk[mid]!.addrRange.base < addr) lo = mid + 1;
      else hi = mid;
    }
    return this.firstIndex[c]! + lo;
  }

  slice(from: number, to: number): FlatRange[] {
    const out: FlatRange[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i)!);
    return out;
  }

  /** A new store with `edits` (sorted, disjoint) applied; untouched chunks are shared. */
  replace(edits: readonly RangeEdit[]): RangeStore {
    const CHUNK = this.chunkSize;
    const chunkCount = this.chunks.length;
    const out: (readonly FlatRange[])[] = [];
    const outBase: number[] = [];
    const outLength: number[] = [];
    let pending: FlatRange[] = [];
    const fresh: FlatRange[][] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      splitInto(pending, fresh, CHUNK);
      for (const chunk of fresh) {
        out.push(chunk);
        outBase.push(chunk[0]!.addrRange.base);
        outLength.push(chunk.length);
      }
      fresh.length = 0;
      pending = [];
    };
    // Old ranges [a, b): whole chunks are shared (with their base and length), parts of
    // chunks are copied into `pending`. One search for the first chunk, then a walk.
    const copyOld = (a: number, b: number): void => {
      if (a >= b) return;
      let c = lastAtOrBelow(this.firstIndex, a);
      while (a < b) {
        const start = this.firstIndex[c]!;
        const end = c + 1 < chunkCount ? this.firstIndex[c + 1]! : this.length;
        if (a === start && end <= b && (pending.length === 0 || pending.length >= CHUNK / 2)) {
          flush();
          out.push(this.chunks[c]!);
          outBase.push(this.firstBase[c]!);
          outLength.push(end - start);
          a = end;
          c += 1;
          continue;
        }
        const chunk = this.chunks[c]!;
        const stop = Math.min(b, end);
        for (let k = a; k < stop; k++) pending.push(chunk[k - start]!);
        a = stop;
        if (stop === end) c += 1;
        if (pending.length >= CHUNK) flush();
      }
    };
    let pos = 0;
    for (const e of edits) {
      copyOld(pos, e.from);
      for (const p of e.pieces) pending.push(p);
      pos = e.to;
    }
    copyOld(pos, this.length);
    flush();
    return new RangeStore(out, CHUNK, undefined, outBase, outLength);
  }
}

/** Cuts `list` into chunks of at most `chunk` (near-equal lengths), appended to `out`. */
function splitInto(list: readonly FlatRange[], out: (readonly FlatRange[])[], chunk: number): void {
  if (list.length === 0) return;
  const parts = Math.ceil(list.length / chunk);
  const size = Math.ceil(list.length / parts);
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
}

/** Last index whose value is `<= x` (values ascending), or -1. */
function lastAtOrBelow(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Last index whose value is `< x`, or -1. */
function lastBelow(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
