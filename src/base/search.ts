/**
 * Binary searches over sorted numeric columns (typed arrays or plain arrays), written once.
 *
 * Both return an index and never allocate, so the reader's lookups may call them on the
 * hot path. They search what they are given; they know nothing of ranges or regions.
 */

/**
 * The first index `i` in `[from, to)` with `keys[i] >= key` (`to` when there is none):
 * C++'s `lower_bound`. `keys[from..to)` must be sorted ascending.
 */
export function lowerBound(
  keys: ArrayLike<number>,
  key: number,
  from = 0,
  to: number = keys.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index `i` in `[from, to)` with `keys[i] > key` (`to` when there is none):
 * C++'s `upper_bound`. So `upperBound(...) - 1` is the last index whose key is `<= key`.
 */
export function upperBound(
  keys: ArrayLike<number>,
  key: number,
  from = 0,
  to: number = keys.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index `i` in `[from, to)` for which `isAfter(i)` holds, where `isAfter` is
 * false for a prefix and true for the rest (a partition): the search for sorted
 * collections that are not numeric columns (regions by priority, ranges by base).
 */
export function partitionPoint(
  from: number,
  to: number,
  isAfter: (index: number) => boolean,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
