/**
 * Typed-array views over the two shared buffers of a published view (layout.ts says what
 * every word means): a view table (header, chunk directory, ioeventfds, page index) and a
 * chunk arena (the range rows of many tables, in chunks). Both sides build the same views.
 *
 * This module only builds views and sizes buffers. It never decides what is written,
 * published or reclaimed.
 */
import {
  ARENA_HEADER_WORDS,
  CHUNK_INDEX_WORDS,
  CHUNK_ROWS,
  kArenaChunkCap,
  kMetaBucketsShift,
  kMetaIndexShiftShift,
  kMetaRowsMask,
  kTableChunkCap,
  kTableChunkCount,
  kTableEpoch,
  kTableFlags,
  kTableGeneration,
  kTableIoCap,
  kTableIoCount,
  kTableRangeCount,
  TABLE_HEADER_WORDS,
} from './layout.js';

const I32 = Int32Array.BYTES_PER_ELEMENT;
const F64 = Float64Array.BYTES_PER_ELEMENT;
const TABLE_HEADER_BYTES = TABLE_HEADER_WORDS * I32;
const ARENA_HEADER_BYTES = ARENA_HEADER_WORDS * I32;
const DIR_BYTES = 2 * F64 + 3 * I32;
const IO_BYTES = 2 * F64 + 4 * I32;
/** Bytes of one arena row: four F64 and three I32 columns. */
const ROW_BYTES = 4 * F64 + 3 * I32;
/** Bytes of one chunk's own page index. */
const CHUNK_META_BYTES = CHUNK_INDEX_WORDS * I32;

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Page-index entries of a table whose directory holds up to `chunkCap` entries. */
export function indexCapacity(chunkCap: number): number {
  return 8 * chunkCap;
}

/** Byte size of a table with `chunkCap` directory entries and `ioCap` ioeventfds. */
export function tableBytes(chunkCap: number, ioCap: number): number {
  return (
    TABLE_HEADER_BYTES +
    align8(chunkCap * DIR_BYTES) +
    align8(ioCap * IO_BYTES) +
    align8(indexCapacity(chunkCap) * I32)
  );
}

/** Byte size of an arena of `chunkCap` chunks. */
export function arenaBytes(chunkCap: number): number {
  return (
    ARENA_HEADER_BYTES + align8(chunkCap * CHUNK_ROWS * ROW_BYTES + chunkCap * CHUNK_META_BYTES)
  );
}

/** Bytes one chunk takes in its arena (rows and metadata). */
export const CHUNK_BYTES = CHUNK_ROWS * ROW_BYTES + CHUNK_META_BYTES;

/** A cursor laying out columns one after another in a buffer. */
class Columns {
  at: number;
  constructor(
    readonly buffer: SharedArrayBuffer,
    from: number,
  ) {
    this.at = from;
  }
  f64(n: number): Float64Array {
    this.at = align8(this.at);
    const a = new Float64Array(this.buffer, this.at, n);
    this.at += n * F64;
    return a;
  }
  i32(n: number): Int32Array {
    const a = new Int32Array(this.buffer, this.at, n);
    this.at += n * I32;
    return a;
  }
}

/** A view table: header, chunk directory, ioeventfds and page index. */
export class TableColumns {
  readonly buffer: SharedArrayBuffer;
  readonly header: Int32Array;
  /** The header as F64 (for `kTableIndexBaseF64`). */
  readonly headerF64: Float64Array;
  readonly dirFirst: Float64Array;
  readonly dirEnd: Float64Array;
  readonly dirChunk: Int32Array;
  /** Each entry's chunk meta word (layout.ts). */
  readonly dirMeta: Int32Array;
  readonly dirRow: Int32Array;
  readonly ioBase: Float64Array;
  readonly ioSize: Float64Array;
  readonly ioDataLo: Int32Array;
  readonly ioDataHi: Int32Array;
  readonly ioFlags: Int32Array;
  readonly ioFdId: Int32Array;
  /** The page index over the directory (layout.ts). */
  readonly pageIndex: Int32Array;
  readonly chunkCap: number;
  readonly ioCap: number;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, TABLE_HEADER_WORDS);
    this.headerF64 = new Float64Array(buffer, 0, TABLE_HEADER_WORDS / 2);
    const d = this.header[kTableChunkCap]!;
    const e = this.header[kTableIoCap]!;
    this.chunkCap = d;
    this.ioCap = e;
    const c = new Columns(buffer, TABLE_HEADER_BYTES);
    this.dirFirst = c.f64(d);
    this.dirEnd = c.f64(d);
    this.dirChunk = c.i32(d);
    this.dirMeta = c.i32(d);
    this.dirRow = c.i32(d);
    this.ioBase = c.f64(e);
    this.ioSize = c.f64(e);
    this.ioDataLo = c.i32(e);
    this.ioDataHi = c.i32(e);
    this.ioFlags = c.i32(e);
    this.ioFdId = c.i32(e);
    c.at = align8(c.at);
    this.pageIndex = c.i32(indexCapacity(d));
  }

  /** Allocates a zeroed table buffer with its capacities written into the header. */
  static allocate(chunkCap: number, ioCap: number): TableColumns {
    const buffer = new SharedArrayBuffer(tableBytes(chunkCap, ioCap));
    const header = new Int32Array(buffer, 0, TABLE_HEADER_WORDS);
    header[kTableChunkCap] = chunkCap;
    header[kTableIoCap] = ioCap;
    return new TableColumns(buffer);
  }

  get epoch(): number {
    return this.header[kTableEpoch]!;
  }
  get generation(): number {
    return this.header[kTableGeneration]!;
  }
  get rangeCount(): number {
    return this.header[kTableRangeCount]!;
  }
  get chunkCount(): number {
    return this.header[kTableChunkCount]!;
  }
  get ioCount(): number {
    return this.header[kTableIoCount]!;
  }
  get flags(): number {
    return this.header[kTableFlags]!;
  }
}

/** A chunk arena: range columns over `chunkCap * CHUNK_ROWS` rows and each chunk's page index. */
export class ArenaColumns {
  readonly buffer: SharedArrayBuffer;
  readonly chunkCap: number;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly hostBase: Float64Array;
  readonly offsetInRegion: Float64Array;
  readonly regionId: Int32Array;
  readonly mappingId: Int32Array;
  readonly typeFlags: Int32Array;
  /** `CHUNK_INDEX_WORDS` entries per chunk. */
  readonly chunkIndex: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    const k = new Int32Array(buffer, 0, ARENA_HEADER_WORDS)[kArenaChunkCap]!;
    this.chunkCap = k;
    const r = k * CHUNK_ROWS;
    const c = new Columns(buffer, ARENA_HEADER_BYTES);
    this.start = c.f64(r);
    this.end = c.f64(r);
    this.hostBase = c.f64(r);
    this.offsetInRegion = c.f64(r);
    this.regionId = c.i32(r);
    this.mappingId = c.i32(r);
    this.typeFlags = c.i32(r);
    this.chunkIndex = c.i32(k * CHUNK_INDEX_WORDS);
  }

  /** Allocates a zeroed arena of `chunkCap` chunks. */
  static allocate(chunkCap: number): ArenaColumns {
    const buffer = new SharedArrayBuffer(arenaBytes(chunkCap));
    new Int32Array(buffer, 0, ARENA_HEADER_WORDS)[kArenaChunkCap] = chunkCap;
    return new ArenaColumns(buffer);
  }
}

/** Rows in use in a chunk, from its meta word. */
export function metaRows(meta: number): number {
  return meta & kMetaRowsMask;
}

/** A chunk's meta word (layout.ts). */
export function chunkMetaWord(rows: number, buckets: number, indexShift: number): number {
  return rows | (buckets << kMetaBucketsShift) | (indexShift << kMetaIndexShiftShift);
}
