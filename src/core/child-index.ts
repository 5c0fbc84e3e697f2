/**
 * `ChildIndex`: finds the children of a big container that intersect an address window,
 * without looking at every child, so that re-rendering a small window of a container with
 * 100k subregions stays cheap.
 *
 * Children are bucketed by size class (floor(log2(size))); each bucket is sorted by
 * offset and remembers its largest size, so a query scans, per bucket, only children whose
 * offset lies in `(lo - maxSize, hi)`. Siblings may overlap, so this is not a partition.
 * It does not know render order: callers sort what it returns.
 */
import type { Region } from './region.js';

interface Bucket {
  maxSize: number;
  /** Sorted by offset. */
  readonly children: Region[];
}

export class ChildIndex {
  private readonly buckets = new Map<number, Bucket>();

  static build(children: readonly Region[]): ChildIndex {
    const index = new ChildIndex();
    for (const c of children) index.insert(c);
    return index;
  }

  insert(child: Region): void {
    if (child.size === 0) return;
    const k = sizeClass(child.size);
    let bucket = this.buckets.get(k);
    if (bucket === undefined) {
      bucket = { maxSize: 0, children: [] };
      this.buckets.set(k, bucket);
    }
    if (child.size > bucket.maxSize) bucket.maxSize = child.size;
    const list = bucket.children;
    const at = firstAtOrAfter(list, child.offset);
    // among equal offsets the position does not matter; append after them
    let i = at;
    while (i < list.length && list[i]!.offset === child.offset) i++;
    list.splice(i, 0, child);
  }

  remove(child: Region): void {
    if (child.size === 0) return;
    const bucket = this.buckets.get(sizeClass(child.size));
    if (bucket === undefined) return;
    const list = bucket.children;
    for (let i = firstAtOrAfter(list, child.offset); i < list.length; i++) {
      if (list[i] === child) {
        list.splice(i, 1);
        return;
      }
      if (list[i]!.offset !== child.offset) return;
    }
  }

  /** Appends to `out` every child whose box `[offset, offset + size)` meets `[lo, hi)`. */
  query(lo: number, hi: number, out: Region[]): void {
    for (const bucket of this.buckets.values()) {
      const list = bucket.children;
      for (let i = firstAtOrAfter(list, lo - bucket.maxSize + 1); i < list.length; i++) {
        const c = list[i]!;
        if (c.offset >= hi) break;
        if (c.offset + c.size > lo) out.push(c);
      }
    }
  }
}

function sizeClass(size: number): number {
  return Math.floor(Math.log2(size));
}

/** First index whose offset is `>= value`. */
function firstAtOrAfter(list: readonly Region[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.offset < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
