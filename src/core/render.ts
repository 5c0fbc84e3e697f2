/**
 * Rendering a region tree into flat ranges (SPEC 4), for the whole address space or for
 * one window of it.
 *
 * Two passes, O(m log m) for m leaf windows:
 * 1. `collectPaintWindows` walks the tree in render order (DFS, highest priority first)
 *    and emits, for every enabled leaf it reaches, its window clipped to all ancestors and
 *    to the requested window, with a paint rank (its DFS position: lower paints first).
 *    An alias places its target so that the target's byte `aliasOffset` sits at the
 *    alias's base, clipped to the alias window. A disabled region renders nothing, also
 *    when reached as an alias target.
 * 2. `paintWindows` sweeps the window starts in address order with a min-heap on rank:
 *    at every point the lowest-ranked open window owns the byte ("first painter wins"). A piece is a maximal
 *    run of one paint window, so adjacent pieces are never merged, exactly as the
 *    StratoVirt insert-into-array painter produces them.
 *
 * This module reads the tree and never changes it; it knows nothing of listeners.
 */
import type { FlatRange } from './flat-view.js';
import { type Region, rendersBefore } from './region.js';

/**
 * Leaf windows as parallel columns (fewer objects on the hot path). Window `k` would
 * paint `[start[k], end[k])` with `owner[k]`, whose byte 0 sits at `regionBase[k]` along
 * this path (may be negative). Its rank is `k` itself: collection order is paint order.
 */
export interface PaintWindows {
  readonly start: number[];
  readonly end: number[];
  readonly owner: Region[];
  readonly regionBase: number[];
}

/** Renders `[lo, hi)` of the address space rooted at `root` (placed at address 0). */
export function renderWindow(root: Region, lo: number, hi: number): FlatRange[] {
  return paintWindows(collectPaintWindows(root, lo, hi));
}

export function collectPaintWindows(root: Region, lo: number, hi: number): PaintWindows {
  const out: PaintWindows = { start: [], end: [], owner: [], regionBase: [] };
  collect(root, 0, lo, hi, out);
  return out;
}

function collect(r: Region, base: number, lo: number, hi: number, out: PaintWindows): void {
  if (!r.enabled) return;
  const start = Math.max(base, lo);
  const end = Math.min(base + r.size, hi);
  if (start >= end) return;
  switch (r.regionType) {
    case 'Container': {
      const children = childrenMeeting(r, base, start, end);
      for (let i = 0; i < children.length; i++) {
        const c = children[i]!;
        collect(c, base + c.offset, start, end, out);
      }
      return;
    }
    case 'Alias':
      collect(r.aliasTarget!, base - r.aliasOffset, start, end, out);
      return;
    default:
      out.start.push(start);
      out.end.push(end);
      out.owner.push(r);
      out.regionBase.push(base);
  }
}

/** Children of container `r` (at `base`) that may meet `[start, end)`, in render order. */
function childrenMeeting(r: Region, base: number, start: number, end: number): readonly Region[] {
  const index = r.childIndex;
  if (index === undefined || (start === base && end === base + r.size)) return r.childList;
  const found: Region[] = [];
  index.query(start - base, end - base, found);
  if (found.length > 1) found.sort((a, b) => (rendersBefore(a, b) ? -1 : 1));
  return found;
}

/** Sweeps paint windows into sorted flat ranges: the lowest open rank owns each byte. */
export function paintWindows(w: PaintWindows): FlatRange[] {
  const n = w.start.length;
  const starts = w.start;
  const ends = w.end;
  const byStart = sortedByStart(starts);
  const heap = new RankHeap();
  const ranges: FlatRange[] = [];
  let pieceWindow = -1;
  let pieceStart = 0;
  let pieceEnd = 0;
  let i = 0;
  let pos = 0;
  while (i < n || heap.size > 0) {
    if (heap.size === 0) pos = starts[byStart[i]!]!;
    while (i < n && starts[byStart[i]!]! <= pos) heap.push(byStart[i++]!);
    while (heap.size > 0 && ends[heap.top()]! <= pos) heap.pop();
    if (heap.size === 0) continue;
    const top = heap.top();
    const stop = i < n ? Math.min(ends[top]!, starts[byStart[i]!]!) : ends[top]!;
    if (top !== pieceWindow || pieceEnd !== pos) {
      if (pieceWindow >= 0) ranges.push(piece(w, pieceWindow, pieceStart, pieceEnd));
      pieceWindow = top;
      pieceStart = pos;
    }
    pieceEnd = stop;
    pos = stop;
  }
  if (pieceWindow >= 0) ranges.push(piece(w, pieceWindow, pieceStart, pieceEnd));
  return ranges;
}

function piece(w: PaintWindows, k: number, start: number, end: number): FlatRange {
  return makeFlatRange(start, end - start, w.owner[k]!, start - w.regionBase[k]!);
}

/** Window indices ordered by start (the sort is skipped when already in order). */
function sortedByStart(starts: readonly number[]): Uint32Array {
  const order = new Uint32Array(starts.length);
  let sorted = true;
  for (let k = 0; k < starts.length; k++) {
    order[k] = k;
    if (k > 0 && starts[k]! < starts[k - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => starts[a]! - starts[b]! || a - b);
  return order;
}

/** A new flat range. Ranges are never mutated after this (not frozen: that costs a
 * quarter of a full render); the views and arrays holding them are frozen. */
export function makeFlatRange(
  base: number,
  size: number,
  owner: Region,
  offsetInRegion: number,
): FlatRange {
  return owner.regionType === 'RomDevice'
    ? { addrRange: { base, size }, owner, offsetInRegion, romd: owner.romdMode }
    : { addrRange: { base, size }, owner, offsetInRegion };
}

/** Binary min-heap of window indices (an index is its rank). */
class RankHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0]!;
  }

  push(w: number): void {
    const a = this.items;
    let i = a.length;
    a.push(w);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= w) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = w;
  }

  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
  }
}
