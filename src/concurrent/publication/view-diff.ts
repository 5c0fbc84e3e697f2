/**
 * Which rows a publish changed: the window between the unchanged prefix and the unchanged
 * suffix of the previously published view and the new one, so that writing the table,
 * validating, reclamation and region retention cost O(changed rows), not O(view).
 *
 * The window is found by skipping the range chunks the two views share (a change replaces
 * a few chunks of the core's `RangeStore` and shares the rest) and then comparing ranges
 * one by one at the edges. The first publish has the whole view as its window.
 *
 * It only compares; it never writes a table and never decides what is retired.
 */
import { type FlatRange, type FlatView, sameFlatRange } from '../../core/flat-view.js';

/**
 * Rows `[start, previousEnd)` of `previous` became rows `[start, nextEnd)` of `next`; the
 * rows before `start` and the `count - end` rows after the window are the same ranges in
 * both views (same address, owner, offset and romd), at the same distance from the end.
 */
export interface ViewChange {
  /** The view published before, `undefined` for the first publish. */
  readonly previous: FlatView | undefined;
  readonly next: FlatView;
  readonly start: number;
  readonly previousEnd: number;
  readonly nextEnd: number;
}

/** The change from `previous` (the view published before, if any) to `next`. */
export function viewChange(previous: FlatView | undefined, next: FlatView): ViewChange {
  const nextCount = next.rangeCount;
  if (previous === undefined) {
    return { previous, next, start: 0, previousEnd: 0, nextEnd: nextCount };
  }
  const previousCount = previous.rangeCount;
  const limit = Math.min(previousCount, nextCount);
  const before = previous.store.chunks;
  const after = next.store.chunks;
  let start = 0;
  for (let c = 0; c < before.length && c < after.length && before[c] === after[c]; c++) {
    start += before[c]!.length;
  }
  while (start < limit && sameRange(previous.rangeAt(start)!, next.rangeAt(start)!)) start++;
  const room = limit - start;
  let suffix = 0;
  let b = before.length - 1;
  let a = after.length - 1;
  while (b >= 0 && a >= 0 && before[b] === after[a] && suffix + before[b]!.length <= room) {
    suffix += before[b]!.length;
    b--;
    a--;
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
