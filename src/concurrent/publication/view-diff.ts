/**
 * Which rows a publish changed: the window between the unchanged prefix and the unchanged
 * suffix of the previously published view and the new one, so that writing the table,
 * validating, reclamation and region retention cost O(changed rows), not O(view).
 *
 * For two core `FlatView`s the window is found by skipping the range chunks the views
 * share (a change replaces a few chunks of the core's `RangeStore` and shares the rest)
 * and then comparing ranges one by one at the edges. Any other view (plain objects built
 * by tests) gets the whole view as its window, which is always correct.
 *
 * It only compares; it never writes a table and never decides what is retired.
 */
import { type FlatRange, FlatView, sameFlatRange } from '../../core/flat-view.js';
import type { PublishedRange, PublishedView } from './table-writer.js';

/**
 * Rows `[start, previousEnd)` of `previous` became rows `[start, nextEnd)` of `next`; the
 * rows before `start` and the `count - end` rows after the window are the same ranges in
 * both views (same address, owner, offset and romd), at the same distance from the end.
 */
export interface ViewChange {
  /** The view published before, `undefined` for the first publish. */
  readonly previous: PublishedView | undefined;
  readonly next: PublishedView;
  readonly start: number;
  readonly previousEnd: number;
  readonly nextEnd: number;
}

/** Number of ranges of `view`, without materialising an array for core views. */
export function rangeCountOf(view: PublishedView): number {
  return view.rangeCount ?? view.ranges.length;
}

/** Range `i` of `view` (which must exist), without materialising an array for core views. */
export function rangeAtOf(view: PublishedView, i: number): PublishedRange {
  return (view.rangeAt === undefined ? view.ranges[i] : view.rangeAt(i))!;
}

/** The change from `previous` (the view published before, if any) to `next`. */
export function viewChange(previous: PublishedView | undefined, next: PublishedView): ViewChange {
  const nextCount = rangeCountOf(next);
  if (!(previous instanceof FlatView) || !(next instanceof FlatView)) {
    const previousEnd = previous === undefined ? 0 : rangeCountOf(previous);
    return { previous, next, start: 0, previousEnd, nextEnd: nextCount };
  }
  const previousCount = previous.rangeCount;
  const limit = Math.min(previousCount, nextCount);
  const before = chunksOf(previous);
  const after = chunksOf(next);
  let start = 0;
  if (before !== undefined && after !== undefined) {
    for (let c = 0; c < before.length && c < after.length && before[c] === after[c]; c++) {
      start += before[c]!.length;
    }
  }
  while (start < limit && sameRange(previous.rangeAt(start)!, next.rangeAt(start)!)) start++;
  const room = limit - start;
  let suffix = 0;
  if (before !== undefined && after !== undefined) {
    let b = before.length - 1;
    let a = after.length - 1;
    while (b >= 0 && a >= 0 && before[b] === after[a] && suffix + before[b]!.length <= room) {
      suffix += before[b]!.length;
      b--;
      a--;
    }
  }
  while (
    suffix < room &&
    sameRange(previous.rangeAt(previousCount - 1 - suffix)!, next.rangeAt(nextCount - 1 - suffix)!)
  ) {
    suffix++;
  }
  return {
    previous,
    next,
    start,
    previousEnd: previousCount - suffix,
    nextEnd: nextCount - suffix,
  };
}

function sameRange(a: FlatRange, b: FlatRange): boolean {
  return a === b || sameFlatRange(a, b);
}

/** The range chunks of a core view's store, shared by identity between neighbouring views. */
function chunksOf(view: FlatView): readonly (readonly FlatRange[])[] {
  return view.store.chunks;
}
