/**
 * The page indexes of a chunked view table (reader/layout.ts): each chunk's own index
 * over its rows, built when the chunk is written, and the table's index over its chunk
 * directory, built with each table. O(rows of the chunk) and O(directory entries).
 *
 * Owner thread only; it writes chunks and tables no reader can see yet.
 */
import {
  CHUNK_INDEX_WORDS,
  CHUNK_ROWS_PER_BUCKET,
  CHUNK_SHIFT,
  kTableIndexBaseF64,
  kTableIndexBuckets,
  kTableIndexShift,
} from '../reader/layout.js';
import { type ArenaColumns, chunkMetaWord, type TableColumns } from '../reader/table-columns.js';

/**
 * Builds chunk `c`'s own page index over its `n` rows (layout.ts): a power of two of
 * buckets, about one per `CHUNK_ROWS_PER_BUCKET` rows, of a power-of-two size over the
 * span of the rows, each naming the first row that ends above its start. Returns the
 * chunk's meta word (layout.ts), for the directory entries naming it. O(n).
 */
export function writeChunkIndex(arena: ArenaColumns, c: number, n: number): number {
  const rowBase = c << CHUNK_SHIFT;
  const end = arena.end;
  const base = arena.start[rowBase]!;
  const span = end[rowBase + n - 1]! - base;
  const shift = bucketShift(span, n / CHUNK_ROWS_PER_BUCKET);
  const size = 2 ** shift;
  const buckets = Math.ceil(span / size);
  const index = arena.chunkIndex;
  const at = c * CHUNK_INDEX_WORDS;
  let row = 0;
  for (let b = 0; b < buckets; b++) {
    const bucketStart = base + b * size;
    while (row < n && end[rowBase + row]! <= bucketStart) row++;
    index[at + b] = row;
  }
  index[at + buckets] = n;
  return chunkMetaWord(n, buckets, shift);
}

/**
 * Builds the page index over the first `d` directory entries of `table` (layout.ts):
 * about two buckets per entry, each naming the first entry whose last row ends above its
 * start and the last entry that starts before its end. None (0 buckets) for one entry or
 * none. O(d).
 */
export function writeDirectoryIndex(table: TableColumns, d: number): void {
  const header = table.header;
  if (d <= 1) {
    header[kTableIndexBuckets] = 0;
    header[kTableIndexShift] = 0;
    table.headerF64[kTableIndexBaseF64] = 0;
    return;
  }
  const base = table.dirFirst[0]!;
  const span = table.dirEnd[d - 1]! - base;
  const shift = bucketShift(span, 2 * d);
  const size = 2 ** shift;
  const buckets = Math.ceil(span / size);
  const index = table.pageIndex;
  const dirEnd = table.dirEnd;
  const dirFirst = table.dirFirst;
  let lo = 0;
  let hi = 0;
  for (let b = 0; b < buckets; b++) {
    const bucketStart = base + b * size;
    // The first entry ending above the bucket's start, the last starting before its end.
    while (lo < d && dirEnd[lo]! <= bucketStart) lo++;
    while (hi + 1 < d && dirFirst[hi + 1]! < bucketStart + size) hi++;
    index[2 * b] = lo;
    index[2 * b + 1] = hi;
  }
  table.headerF64[kTableIndexBaseF64] = base;
  header[kTableIndexShift] = shift;
  header[kTableIndexBuckets] = buckets;
}

/**
 * The log2 of the bucket size for an index over `span` bytes with at least `buckets`
 * buckets (rounded up to a power of two): the smallest power-of-two bucket size with which
 * that many buckets cover the span.
 */
function bucketShift(span: number, buckets: number): number {
  let wanted = 1;
  while (wanted < buckets) wanted *= 2;
  let shift = 0;
  while (2 ** shift * wanted < span) shift++;
  return shift;
}
