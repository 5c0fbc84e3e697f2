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
 * 2. `paintWindows` sweeps the endpoints with a min-heap on rank: at every point the
 *    lowest-ranked open window owns the byte ("first painter wins"). A piece is a maximal
 *    run of one paint window, so adjacent pieces are never merged, exactly as the
 *    StratoVirt insert-into-array painter produces them.
 *
 * This module reads the tree and never changes it; it knows nothing of listeners.
 */
import type { FlatRange } from './flat-view.js';
import { type Region, rendersBefore } from './region.js';

/** One leaf as seen through one path, clipped: it would paint `[start, end)`. */
export interface PaintWindow {
  start: number;
  end: number;
  rank: number;
  owner: Region;
  /** Guest address of the owner's byte 0 along this path (may be negative). */
  regionBase: number;
}

/** Renders `[lo, hi)` of the address space rooted at `root` (placed at address 0). */
export function renderWindow(root: Region, lo: number, hi: number): FlatRange[] {
  return paintWindows(collectPaintWindows(root, lo, hi));
}

export function collectPaintWindows(root: Region, lo: number, hi: number): PaintWindow[] {
  const out: PaintWindow[] = [];
  collect(root, 0, lo, hi, out);
  return out;
}

function collect(r: Region, base: number, lo: number, hi: number, out: PaintWindow[]): void {
  if (!r.enabled) return;
  const start = Math.max(base, lo);
  const regionEnd = base + r.size;
  const end = Math.min(regionEnd, hi);
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
      out.push({ start, end, rank: out.length, owner: r, regionBase: base });
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

/** Sweeps paint windows (in rank order) into sorted flat ranges. */
export function paintWindows(windows: readonly PaintWindow[]): FlatRange[] {
  const n = windows.length;
  const byStart = windows.slice().sort((a, b) => a.start - b.start);
  const heap = new RankHeap();
  const pieceStart: number[] = [];
  const pieceEnd: number[] = [];
  const pieceOwner: PaintWindow[] = [];
  let i = 0;
  let pos = 0;
  while (i < n || heap.size > 0) {
    if (heap.size === 0) pos = byStart[i]!.start;
    while (i < n && byStart[i]!.start <= pos) heap.push(byStart[i++]!);
    while (heap.size > 0 && heap.top().end <= pos) heap.pop();
    if (heap.size === 0) continue;
    const top = heap.top();
    const nextStart = i < n ? byStart[i]!.start : Number.POSITIVE_INFINITY;
    const stop = Math.min(top.end, nextStart);
    const last = pieceOwner.length - 1;
    if (last >= 0 && pieceOwner[last] === top && pieceEnd[last] === pos) {
      pieceEnd[last] = stop;
    } else {
      pieceStart.push(pos);
      pieceEnd.push(stop);
      pieceOwner.push(top);
    }
    pos = stop;
  }
  const ranges: FlatRange[] = new Array(pieceOwner.length);
  for (let k = 0; k < pieceOwner.length; k++) {
    const w = pieceOwner[k]!;
    ranges[k] = makeFlatRange(
      pieceStart[k]!,
      pieceEnd[k]! - pieceStart[k]!,
      w.owner,
      pieceStart[k]! - w.regionBase,
    );
  }
  return ranges;
}

export function makeFlatRange(
  base: number,
  size: number,
  owner: Region,
  offsetInRegion: number,
): FlatRange {
  const range: FlatRange =
    owner.regionType === 'RomDevice'
      ? { addrRange: { base, size }, owner, offsetInRegion, romd: owner.romdMode }
      : { addrRange: { base, size }, owner, offsetInRegion };
  Object.freeze(range.addrRange);
  return Object.freeze(range);
}

/** Binary min-heap of paint windows by rank. */
class RankHeap {
  private readonly items: PaintWindow[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): PaintWindow {
    return this.items[0]!;
  }

  push(w: PaintWindow): void {
    const a = this.items;
    let i = a.length;
    a.push(w);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.rank <= w.rank) break;
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
      const c = r < n && a[r]!.rank < a[l]!.rank ? r : l;
      if (a[c]!.rank >= last.rank) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
  }
}
