/**
 * Rendering a region tree into flat ranges (SPEC 4), for the whole address space or for
 * one window of it.
 *
 * Two passes, O(m log m) for m leaf windows:
 * 1. `collect` walks the tree in render order (DFS, highest priority first) and records,
 *    for every enabled leaf it reaches, its window clipped to all ancestors and to the
 *    requested window. Its paint rank is its DFS position (lower paints first). An alias
 *    places its target so that the target's byte `aliasOffset` sits at the alias's base,
 *    clipped to the alias window. A disabled region renders nothing, also when reached as
 *    an alias target.
 * 2. `paint` sweeps the window starts in address order with a min-heap on rank: at every
 *    point the lowest-ranked open window owns the byte ("first painter wins"). A piece is
 *    a maximal run of one paint window, so adjacent pieces are never merged, exactly as
 *    the StratoVirt insert-into-array painter produces them.
 *
 * Both passes work on typed-array columns reused from one render to the next (rendering
 * is synchronous and never re-entered), so the only objects a render allocates are the
 * `FlatRange`s it returns, all built in one place (`makeFlatRange`).
 *
 * This module reads the tree and never changes it; it knows nothing of listeners.
 */
import type { FlatRange } from './flat-view.js';
import { type Region, rendersBefore } from './region.js';

/** Leaf windows as columns; window `k` (its rank) paints `[start[k], end[k])` with
 * `owner[k]`, whose byte 0 sits at `regionBase[k]` (may be negative). */
let windowCount = 0;
let start = new Float64Array(1024);
let end = new Float64Array(1024);
let regionBase = new Float64Array(1024);
let owner: Region[] = [];

/** Renders `[lo, hi)` of the address space rooted at `root` (placed at address 0). */
export function renderWindow(root: Region, lo: number, hi: number): FlatRange[] {
  windowCount = 0;
  owner = [];
  try {
    collect(root, 0, lo, hi);
    return paint();
  } finally {
    owner = [];
  }
}

function collect(r: Region, base: number, lo: number, hi: number): void {
  if (!r.enabled) return;
  const s = Math.max(base, lo);
  const limit = base + r.size;
  const e = Math.min(limit, hi);
  if (s >= e) return;
  switch (r.regionType) {
    case 'Container': {
      if (r.childIndex === undefined || (s === base && e === limit)) {
        const children = r.childList;
        for (let i = 0; i < children.length; i++) {
          const c = children[i]!;
          collect(c, base + c.offset, s, e);
        }
      } else {
        const found: Region[] = [];
        r.childIndex.query(s - base, e - base, found);
        if (found.length > 1) found.sort(byRenderOrder);
        for (let i = 0; i < found.length; i++) {
          const c = found[i]!;
          collect(c, base + c.offset, s, e);
        }
      }
      return;
    }
    case 'Alias':
      collect(r.aliasTarget!, base - r.aliasOffset, s, e);
      return;
    default: {
      const k = windowCount;
      if (k === start.length) growWindows();
      start[k] = s;
      end[k] = e;
      regionBase[k] = base;
      owner.push(r);
      windowCount = k + 1;
    }
  }
}

function byRenderOrder(a: Region, b: Region): number {
  return rendersBefore(a, b) ? -1 : 1;
}

function growWindows(): void {
  const size = start.length * 2;
  start = grown(start, size);
  end = grown(end, size);
  regionBase = grown(regionBase, size);
}

function grown(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

/** Scratch for the sweep: window order by start, the rank heap, and the pieces found. */
let byStart = new Int32Array(1024);
let heap = new Int32Array(1024);
let pieceWindow = new Int32Array(1024);
let pieceStart = new Float64Array(1024);
let pieceEnd = new Float64Array(1024);

/** Sweeps the collected windows into sorted flat ranges: the lowest open rank owns each byte. */
function paint(): FlatRange[] {
  const n = windowCount;
  if (byStart.length < n) {
    const size = Math.max(n, byStart.length * 2);
    byStart = new Int32Array(size);
    heap = new Int32Array(size);
  }
  sortByStart(n);
  const order = byStart;
  const h = heap;
  let heapSize = 0;
  let pieces = 0;
  let current = -1;
  let currentStart = 0;
  let currentEnd = 0;
  let i = 0;
  let pos = 0;
  while (i < n || heapSize > 0) {
    if (heapSize === 0) pos = start[order[i]!]!;
    // open every window starting at or before pos
    while (i < n && start[order[i]!]! <= pos) {
      const w = order[i++]!;
      let j = heapSize++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        const above = h[p]!;
        if (above <= w) break;
        h[j] = above;
        j = p;
      }
      h[j] = w;
    }
    // close windows that ended
    while (heapSize > 0 && end[h[0]!]! <= pos) {
      const last = h[--heapSize]!;
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= heapSize) break;
        const r = l + 1;
        const c = r < heapSize && h[r]! < h[l]! ? r : l;
        const child = h[c]!;
        if (child >= last) break;
        h[j] = child;
        j = c;
      }
      h[j] = last;
    }
    if (heapSize === 0) continue;
    const top = h[0]!;
    const topEnd = end[top]!;
    let stop = topEnd;
    if (i < n) {
      const next = start[order[i]!]!;
      if (next < stop) stop = next;
    }
    if (top !== current || currentEnd !== pos) {
      if (current >= 0) {
        if (pieces === pieceWindow.length) growPieces();
        pieceWindow[pieces] = current;
        pieceStart[pieces] = currentStart;
        pieceEnd[pieces] = currentEnd;
        pieces++;
      }
      current = top;
      currentStart = pos;
    }
    currentEnd = stop;
    pos = stop;
  }
  if (current >= 0) {
    if (pieces === pieceWindow.length) growPieces();
    pieceWindow[pieces] = current;
    pieceStart[pieces] = currentStart;
    pieceEnd[pieces] = currentEnd;
    pieces++;
  }
  const ranges: FlatRange[] = new Array(pieces);
  for (let p = 0; p < pieces; p++) {
    const k = pieceWindow[p]!;
    const s = pieceStart[p]!;
    ranges[p] = makeFlatRange(s, pieceEnd[p]! - s, owner[k]!, s - regionBase[k]!);
  }
  return ranges;
}

function growPieces(): void {
  const size = pieceWindow.length * 2;
  const w = new Int32Array(size);
  w.set(pieceWindow);
  pieceWindow = w;
  pieceStart = grown(pieceStart, size);
  pieceEnd = grown(pieceEnd, size);
}

let sortKeys = new Float64Array(1024);

/**
 * Fills `byStart[0..n)` with window indices ordered by start, ties by index. Skips the
 * sort when collection order is already address order; otherwise sorts packed keys
 * `start * n + k` natively when they stay exact, else falls back to a comparator.
 */
function sortByStart(n: number): void {
  const order = byStart;
  let sorted = true;
  let maxStart = 0;
  for (let k = 0; k < n; k++) {
    order[k] = k;
    const s = start[k]!;
    if (k > 0 && s < start[k - 1]!) sorted = false;
    if (s > maxStart) maxStart = s;
  }
  if (sorted) return;
  if (maxStart * n + n <= Number.MAX_SAFE_INTEGER) {
    if (sortKeys.length < n) sortKeys = new Float64Array(Math.max(n, sortKeys.length * 2));
    const keys = sortKeys.subarray(0, n);
    for (let k = 0; k < n; k++) keys[k] = start[k]! * n + k;
    keys.sort();
    for (let k = 0; k < n; k++) {
      const key = keys[k]!;
      order[k] = key - Math.floor(key / n) * n;
    }
    return;
  }
  const starts = start;
  order.subarray(0, n).sort((a, b) => starts[a]! - starts[b]! || a - b);
}

/** A new flat range, the one place they are built. Ranges are never mutated after this
 * (not frozen: that costs a quarter of a full render); the views and arrays holding them
 * are frozen. */
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
