/**
 * Building the next view from the previous one and the windows that may have changed,
 * plus the listener requests that take a listener from one to the other (SPEC 4-5).
 *
 * A window is widened until neither edge cuts a piece of the old view and the byte on the
 * far side of each edge keeps its owner, so the pieces rendered inside it join the
 * untouched pieces outside exactly as a full render would. Only the widened windows are
 * re-rendered, diffed and spliced in; pieces that did not change keep their object
 * identity. Requests: every `DeleteRegion` (address order), then every `AddRegion`, then
 * the ioeventfd requests in the order of the merge walk (`ioeventfd-diff.ts`).
 *
 * It never changes the tree and never delivers requests.
 */
import { type FlatIoEventFd, type FlatRange, FlatView, sameFlatRange } from './flat-view.js';
import { ioeventfdRequests } from './ioeventfd-diff.js';
import { flattenIoeventfds, sameIoeventfdLists, updateIoeventfds } from './ioeventfds.js';
import type { ListenerRequestItem } from './listeners.js';
import { type RangeEdit, RangeStore } from './range-store.js';
import type { Region } from './region.js';
import { renderWindow } from './render.js';

/** Above this many separate windows a full render is cheaper than many small ones. */
const MAX_WINDOWS = 64;

export interface StagedView {
  readonly view: FlatView;
  readonly requests: readonly ListenerRequestItem[];
}

/** A window `[lo, hi)` in address-space coordinates. */
export type Window = readonly [number, number];

/**
 * The next view of the space rooted at `root`, or `undefined` when nothing in it changed.
 * `windows` undefined means render everything.
 */
export function stageView(
  root: Region,
  old: FlatView,
  windows: readonly Window[] | undefined,
): StagedView | undefined {
  const merged = windows === undefined ? undefined : mergeWindows(clip(windows, root.size));
  const full = merged === undefined || merged.length > MAX_WINDOWS;
  const oldStore = old.store;
  const deleted: FlatRange[] = [];
  const added: FlatRange[] = [];
  const oldPieces: FlatRange[] = [];
  const newPieces: FlatRange[] = [];
  let store: RangeStore;
  if (full) {
    const kept = diffPieces(old.ranges, renderWindow(root, 0, root.size), deleted, added);
    store = deleted.length > 0 || added.length > 0 ? RangeStore.fromArray(kept) : oldStore;
  } else {
    const edits: RangeEdit[] = [];
    for (const [lo, hi] of widen(merged, oldStore)) {
      const from = oldStore.lowerBound(lo);
      const to = oldStore.lowerBound(hi);
      const before = oldStore.slice(from, to);
      const changes = deleted.length + added.length;
      const kept = diffPieces(before, renderWindow(root, lo, hi), deleted, added);
      if (deleted.length + added.length > changes) edits.push({ from, to, pieces: kept });
      for (const p of before) oldPieces.push(p);
      for (const p of kept) newPieces.push(p);
    }
    store = edits.length > 0 ? oldStore.replace(edits) : oldStore;
  }
  const rangesChanged = store !== oldStore;

  let ioeventfds: readonly FlatIoEventFd[] = full
    ? flattenIoeventfds(store)
    : (updateIoeventfds(old.ioeventfds, oldPieces, newPieces, store) ?? old.ioeventfds);
  if (ioeventfds !== old.ioeventfds && sameIoeventfdLists(ioeventfds, old.ioeventfds)) {
    ioeventfds = old.ioeventfds;
  }
  if (!rangesChanged && ioeventfds === old.ioeventfds) return undefined;

  const requests: ListenerRequestItem[] = [];
  for (const range of deleted) requests.push({ type: 'DeleteRegion', range });
  for (const range of added) requests.push({ type: 'AddRegion', range });
  if (ioeventfds !== old.ioeventfds) {
    for (const request of ioeventfdRequests(old.ioeventfds, ioeventfds)) requests.push(request);
  }
  return {
    view: new FlatView(store, ioeventfds, old.generation + 1),
    requests,
  };
}

/**
 * Merges `before` and `after` (sorted pieces of the same window) in address order:
 * appends the ones that differ to `deleted`/`added` and returns `after` with unchanged
 * pieces replaced by their old objects.
 */
function diffPieces(
  before: readonly FlatRange[],
  after: readonly FlatRange[],
  deleted: FlatRange[],
  added: FlatRange[],
): FlatRange[] {
  const out: FlatRange[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (b === undefined || (a !== undefined && a.addrRange.base < b.addrRange.base)) {
      deleted.push(a!);
      i++;
    } else if (a === undefined || b.addrRange.base < a.addrRange.base) {
      added.push(b);
      out.push(b);
      j++;
    } else if (sameFlatRange(a, b)) {
      out.push(a);
      i++;
      j++;
    } else {
      deleted.push(a);
      added.push(b);
      out.push(b);
      i++;
      j++;
    }
  }
  return out;
}

function clip(windows: readonly Window[], size: number): Window[] {
  const out: Window[] = [];
  for (const [lo, hi] of windows) {
    const l = Math.max(lo, 0);
    const h = Math.min(hi, size);
    if (l < h) out.push([l, h]);
  }
  return out;
}

/** Sorts and merges overlapping or touching windows. */
export function mergeWindows(windows: Window[]): Window[] {
  windows.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of windows) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * Moves each edge out to a safe place: the start of the old piece holding the byte before
 * `lo`, and the end of the old piece holding `hi`. Those pieces lie outside the changed
 * window, so they keep their owner, and the byte beyond each new edge belongs to another
 * paint (pieces are maximal) or to nothing.
 */
function widen(windows: readonly Window[], ranges: RangeStore): Window[] {
  const out: Window[] = [];
  for (const [lo, hi] of windows) {
    let l = lo;
    let h = hi;
    const i = ranges.lowerBound(lo) - 1;
    if (i >= 0) {
      const r = ranges.at(i)!.addrRange;
      if (r.base + r.size >= lo) l = r.base;
    }
    const j = ranges.lowerBound(hi + 1) - 1;
    if (j >= 0) {
      const r = ranges.at(j)!.addrRange;
      if (r.base + r.size > hi) h = Math.max(h, r.base + r.size);
    }
    out.push([l, h]);
  }
  return mergeWindows(out);
}
