/**
 * Row lookup in a published view table whose rows live in chunks (layout.ts, "Chunk
 * arena" and "View table"): the table's page index names the few directory entries a
 * bucket meets, the directory names the chunk, and the chunk's own page index narrows the
 * search to a few rows. A row is answered as an arena row (`chunk * CHUNK_ROWS + i`), so
 * the caller reads every column of the arena at that index.
 *
 * Readers use it for cold lookups (adopted-table.ts) and the owner to walk the table it
 * is writing (publication/chunked-writer.ts). It never allocates and never writes.
 * Under strategy `none` a table or chunk may be rewritten while it is read: every index
 * taken from shared memory is clamped to the columns, so a torn table gives a wrong row
 * (which the access checks: reader-faults.ts `tornTableFault`), never an out-of-range read.
 */
import {
  CHUNK_INDEX_WORDS,
  CHUNK_ROWS,
  CHUNK_SHIFT,
  kMetaBucketsMask,
  kMetaBucketsShift,
  kMetaIndexShiftShift,
  kMetaRowsMask,
  kTableChunkCount,
  kTableIndexBaseF64,
  kTableIndexBuckets,
  kTableIndexShift,
} from './layout.js';
import type { ArenaColumns, TableColumns } from './table-columns.js';

// Module-local copies of layout.ts's constants for the lookup: V8 folds these into the
// code, where each use of an imported binding is a load and a check (measured: 2.5 ns of
// a 22 ns lookup over 16 ranges).
const SHIFT = CHUNK_SHIFT;
const ROWS = CHUNK_ROWS;
const ROWS_MASK = kMetaRowsMask;
const BUCKETS_SHIFT = kMetaBucketsShift;
const BUCKETS_MASK = kMetaBucketsMask;
const INDEX_SHIFT_SHIFT = kMetaIndexShiftShift;
const INDEX_WORDS = CHUNK_INDEX_WORDS;
const EMPTY_F64 = new Float64Array(1);
const EMPTY_I32 = new Int32Array(2);
/** 2 ** -k for every index shift a chunk can have (0..255): a load, not a power. */
const POW2_NEG = Float64Array.from({ length: 256 }, (_, k) => 2 ** -k);

export class ChunkLookup {
  /** Directory entries in use. */
  chunks = 0;
  private dirFirst: Float64Array = EMPTY_F64;
  private dirChunk: Int32Array = EMPTY_I32;
  private pageIndex: Int32Array = EMPTY_I32;
  private buckets = 0;
  private base = 0;
  /** 1 / the bucket size: exact (a power of two), and a multiply is cheaper than a divide. */
  private perByte = 1;
  private chunkCap = 0;
  private start: Float64Array = EMPTY_F64;
  private end: Float64Array = EMPTY_F64;
  private dirMeta: Int32Array = EMPTY_I32;
  private chunkIndex: Int32Array = EMPTY_I32;

  /** Looks up in `table`, whose chunks are in `arena`. */
  set(table: TableColumns, arena: ArenaColumns): void {
    const header = table.header;
    this.chunks = Math.min(header[kTableChunkCount]!, table.chunkCap);
    this.dirFirst = table.dirFirst;
    this.dirChunk = table.dirChunk;
    this.dirMeta = table.dirMeta;
    this.pageIndex = table.pageIndex;
    this.buckets = Math.min(header[kTableIndexBuckets]!, table.pageIndex.length >> 1);
    this.base = table.headerF64[kTableIndexBaseF64]!;
    this.perByte = 2 ** -header[kTableIndexShift]!;
    this.chunkCap = arena.chunkCap;
    this.start = arena.start;
    this.end = arena.end;
    this.chunkIndex = arena.chunkIndex;
  }

  /** Forgets the table: every lookup misses. */
  clear(): void {
    this.chunks = 0;
  }

  /**
   * Arena row holding `gpa`, or -1: the table's bucket of `gpa` gives the directory
   * entries to consider (usually one), the last of them starting at or below `gpa` is the
   * chunk, and the chunk's bucket of `gpa` gives its rows to search (usually a handful).
   */
  find(gpa: number): number {
    let klo = 0;
    let khi = this.chunks - 1;
    const buckets = this.buckets;
    if (buckets > 0) {
      const b = Math.floor((gpa - this.base) * this.perByte);
      if (!(b >= 0 && b < buckets)) return -1;
      klo = Math.max(0, this.pageIndex[2 * b]!);
      khi = Math.min(khi, this.pageIndex[2 * b + 1]!);
    }
    const first = this.dirFirst;
    if (!(klo <= khi && gpa >= first[klo]!)) return -1;
    while (klo < khi) {
      const mid = (klo + khi + 1) >>> 1;
      if (gpa < first[mid]!) khi = mid - 1;
      else klo = mid;
    }
    const c = this.dirChunk[klo]!;
    if (!(c >= 0 && c < this.chunkCap)) return -1;
    const meta = this.dirMeta[klo]!;
    let lo = c << SHIFT;
    let hi = lo + Math.min(meta & ROWS_MASK, ROWS) - 1;
    const chunkBuckets = (meta >> BUCKETS_SHIFT) & BUCKETS_MASK;
    // The chunk's index starts at its first row's start (`first[klo]`).
    const b = Math.floor((gpa - first[klo]!) * POW2_NEG[(meta >>> INDEX_SHIFT_SHIFT) & 0xff]!);
    if (b < chunkBuckets && b < INDEX_WORDS - 1) {
      const at = c * INDEX_WORDS + b;
      hi = Math.min(hi, lo + this.chunkIndex[at + 1]!);
      lo += Math.max(0, this.chunkIndex[at]!);
    }
    const start = this.start;
    const end = this.end;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (gpa < start[mid]!) hi = mid - 1;
      else if (gpa >= end[mid]!) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** The row after arena row `row` in the table (by address), or -1 after the last. */
  next(row: number): number {
    // The entry holding `row`: the last starting at or below its start.
    const at = this.start[row]!;
    const first = this.dirFirst;
    let lo = 0;
    let hi = this.chunks - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (first[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    if ((row & (ROWS - 1)) + 1 < (this.dirMeta[lo]! & ROWS_MASK)) return row + 1;
    if (lo + 1 >= this.chunks) return -1;
    const nextChunk = this.dirChunk[lo + 1]!;
    return nextChunk >= 0 && nextChunk < this.chunkCap ? nextChunk << SHIFT : -1;
  }
}
