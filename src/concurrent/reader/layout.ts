/**
 * Shared-memory layouts of the publication layer, written down once (SPEC 7, 8; DESIGN
 * "The published view"). Every offset that a reader or the owner uses is a `k` constant
 * here; every byte size comes from one function here.
 *
 * This module only describes memory and builds typed-array views over it. It never
 * decides when something is published, read or reclaimed.
 *
 * ## Control block (one SharedArrayBuffer per publisher, `CONTROL_WORDS` Int32 words)
 *
 * | word | name            | written by | meaning                                               |
 * |------|-----------------|------------|-------------------------------------------------------|
 * | 0    | kCurrentTable   | owner      | directory id of the table of the current view: THE publishing store |
 * | 1    | kEpoch          | owner      | epoch (publish count, from 1) of the current view, informational |
 * | 2    | kSeq            | owner      | seqlock sequence: `2*epoch - 1` while switching, `2*epoch` after |
 * | 3    | kLock           | both       | mutex strategy: 0 free, 1 the owner, `2 + readerIndex` a reader; bit 30 set while someone may wait (strategies/mutex.ts) |
 * | 4    | (reserved)      |            |                                                       |
 * | 5    | kOwnerWaiting   | owner      | 1 while the owner waits for a grace period (readers then notify) |
 * | 6    | kWakeSeq        | readers    | bumped by a reader before it notifies the owner              |
 * | 7    | (reserved)      |            |                                                       |
 * | 8-15 | kStrategyWords  | strategy   | the strategy's own words (each strategy file says what it keeps there) |
 *
 * Which words each strategy's reader reads: rcu `kCurrentTable` (a plain load per access,
 * an Atomics load when it moved, then the table's own epoch); seqlock `kSeq`, then `kCurrentTable`; mutex `kLock`, then under it `kEpoch` and
 * `kCurrentTable`; none `kEpoch` (per access) and `kCurrentTable`, plain loads only. (Under mutex and
 * none a retired table is reused at once, so only the epoch tells a new view.) `kSeq`
 * wraps as an Int32 past 2**30 epochs; parity and equality still hold.
 *
 * Epochs live in Int32 words and start at 1; 0 and negative values are reader states.
 * The publisher refuses to publish past `MAX_EPOCH` (2**31 - 2 changes: 24 days at 1000
 * changes per second) rather than wrap.
 *
 * ## Reader slots (one SharedArrayBuffer, `maxReaders` slots of `CACHE_LINE` bytes each)
 *
 * Each slot is written by one reader, so slots are padded to base/constants.ts's
 * `CACHE_LINE` (128 bytes): two readers never store into the same line.
 *
 * | word (Int32) | name           | written by | meaning                                       |
 * |--------------|----------------|------------|-----------------------------------------------|
 * | 0            | kReaderEpoch   | reader (owner: offline / evicted) | kReaderOffline, kReaderEvicted, kReaderOnlineUnknown or the adopted epoch |
 * | 2-3 (F64 #1) | kReaderAdoptMs | reader     | wall-clock ms (`base/clock.ts`) of the last adoption, written before the epoch |
 * | 4-11         | readerStrategyWord(i, 0..7) | the strategy | the strategy's own per-reader words (flags, slots); the owner clears them for a dead reader |
 * | 12 to the end | (padding to one cache line)                                           |
 *
 * `countsForGrace` and `isAdoptedEpoch` below read the value of `kReaderEpoch`: the slot's
 * states are stated here once, for the owner's registry and for the strategies.
 *
 * ## View table (one SharedArrayBuffer per table; immutable while published)
 *
 * Header (`TABLE_HEADER_WORDS` Int32 words), then columns, each starting 8-byte aligned:
 *
 * | header word | name               | meaning                                     |
 * |-------------|--------------------|---------------------------------------------|
 * | 0           | kTableEpoch        | epoch this table was published under          |
 * | 1           | kTableGeneration   | the FlatView's `generation`                   |
 * | 2           | kTableRangeCount   | ranges in use                                 |
 * | 3           | kTableIoCount      | ioeventfds in use                             |
 * | 4           | kTableRangeCap     | range capacity of this table                  |
 * | 5           | kTableIoCap        | ioeventfd capacity of this table              |
 * | 6           | kTableFlags        | kTableHypIoeventfd, kTableDirtyLog (publisher's ViewFlags) |
 * | 7           | kTableIndexShift   | log2 of the page index's bucket size           |
 * | 8-9 (F64 #4)| kTableIndexBaseF64 | address of bucket 0 (the first range's start)  |
 * | 10          | kTableIndexBuckets | buckets in use (0: no index; search the rows)  |
 *
 * Range columns (capacity R, sorted by start, non-overlapping): `start` F64, `end` F64,
 * `hostBase` F64 (host address of `start`, 0 for IO), `offsetInRegion` F64, `regionId`
 * I32, `mappingId` I32 (directory id of the backing mapping, 0 for IO), `typeFlags` I32
 * (TableRegionType in the low byte, kFlag* bits above).
 *
 * ioeventfd columns (capacity E, sorted by base): `ioBase` F64, `ioSize` F64, `ioDataLo`
 * I32, `ioDataHi` I32 (the 64-bit match value), `ioFlags` I32 (kIoDataMatch), `ioFdId` I32
 * (directory id of the EventFd).
 *
 * Page index (capacity `indexCapacity(R)` I32): the cold lookup's shortcut. The span from
 * the first range's start to the last range's end is cut into B buckets of
 * `2**kTableIndexShift` bytes (B a power of two, about an eighth of the range count); `pageIndex[b]` is
 * the first row whose end is above bucket b's start, and `pageIndex[B]` the row count. A
 * row holding `gpa` in bucket b is among rows `pageIndex[b]..pageIndex[b + 1]`, so a
 * lookup searches those few rows, not the table. Written with the rows, before publishing.
 */
import { CACHE_LINE } from '../../base/constants.js';

const I32 = Int32Array.BYTES_PER_ELEMENT;
const F64 = Float64Array.BYTES_PER_ELEMENT;

// ---- control block ----
/** Control-block word: the id of the current view table (one `Atomics.store` publishes). */
export const kCurrentTable = 0;
/** Control-block word: the epoch (publish count, from 1) of the current view. */
export const kEpoch = 1;
export const kSeq = 2;
export const kLock = 3;
export const kOwnerWaiting = 5;
export const kWakeSeq = 6;
/** First of the control words that belong to the strategy (`STRATEGY_CONTROL_WORDS` of them). */
export const kStrategyWords = 8;
export const STRATEGY_CONTROL_WORDS = 8;
export const CONTROL_WORDS = 16;
export function controlBytes(): number {
  return CONTROL_WORDS * I32;
}

/** Epoch numbers: 1, 2, ... up to MAX_EPOCH. */
export const FIRST_EPOCH = 1;
export const MAX_EPOCH = 2 ** 31 - 2;

// ---- reader slots ----
export const READER_SLOT_BYTES = CACHE_LINE;
export const READER_SLOT_WORDS = READER_SLOT_BYTES / I32;
export const kReaderEpoch = 0;
/** Index in a Float64Array over the reader buffer, relative to the slot's first F64. */
export const kReaderAdoptMs = 1;
const READER_SLOT_F64 = READER_SLOT_BYTES / F64;

/** Reader states stored in `kReaderEpoch` (all below FIRST_EPOCH). */
export const kReaderOffline = -1;
/** The owner gave up waiting for this reader (lease expired); it faults when it next adopts. */
export const kReaderEvicted = -2;
/** Online, but has not yet announced which epoch it adopted: grace periods wait for it. */
export const kReaderOnlineUnknown = 0;

/** Whether a reader in slot state `state` counts for grace periods (online, with or without an epoch). */
export function countsForGrace(state: number): boolean {
  return state !== kReaderOffline && state !== kReaderEvicted;
}

/** Whether slot state `state` is an adopted epoch (not one of the kReader* states). */
export function isAdoptedEpoch(state: number): boolean {
  return state >= FIRST_EPOCH;
}

export function readerSlotsBytes(maxReaders: number): number {
  return maxReaders * READER_SLOT_BYTES;
}

/** Int32 index of reader `index`'s epoch word. */
export function readerEpochWord(index: number): number {
  return index * READER_SLOT_WORDS + kReaderEpoch;
}

/** Per-reader words that belong to the strategy, in the reader's own slot. */
export const READER_STRATEGY_WORDS = 8;
const kReaderStrategyWords = 4;

/** Int32 index of reader `index`'s strategy word `k` (0 <= k < READER_STRATEGY_WORDS). */
export function readerStrategyWord(index: number, k: number): number {
  return index * READER_SLOT_WORDS + kReaderStrategyWords + k;
}

/** Float64 index of reader `index`'s adopt-time word. */
export function readerAdoptWord(index: number): number {
  return index * READER_SLOT_F64 + kReaderAdoptMs;
}

// ---- view tables ----
/** View-table header word: the epoch the table was published as (tables are reused). */
export const kTableEpoch = 0;
export const kTableGeneration = 1;
export const kTableRangeCount = 2;
export const kTableIoCount = 3;
export const kTableRangeCap = 4;
export const kTableIoCap = 5;
export const kTableFlags = 6;
export const kTableIndexShift = 7;
/** Index in a Float64Array over the header: bytes 32..39. */
export const kTableIndexBaseF64 = 4;
export const kTableIndexBuckets = 10;
/** `kTableFlags` bit: readers match ioeventfds themselves (StratoVirt's hyp_ioevtfd_enabled). */
export const kTableHypIoeventfd = 1;
/** `kTableFlags` bit: dirty logging is on; every write marks its page (SPEC 10). */
export const kTableDirtyLog = 2;
/** Header words (eleven in use, the rest reserved); the columns start after them. */
const TABLE_HEADER_WORDS = 16;
const TABLE_HEADER_BYTES = TABLE_HEADER_WORDS * I32;

/** Low byte of `typeFlags`: a `TableRegionType`. */
export const kTypeMask = 0xff;
/** RomDevice in romd mode: reads go to memory. */
export const kFlagRomd = 1 << 8;
/** The backing mapping is read-only. */
export const kFlagReadOnly = 1 << 9;
/** An ioeventfd intersects this range: writes must consult the ioeventfd table. */
export const kFlagIoeventfd = 1 << 10;

/** `ioFlags` bit: match the written value too. */
export const kIoDataMatch = 1;

/** The smallest table the publisher allocates; tables grow by doubling past this. */
export const MIN_RANGE_CAPACITY = 64;
export const MIN_IO_CAPACITY = 16;

const RANGE_F64_COLUMNS = 4;
const RANGE_I32_COLUMNS = 3;
const IO_F64_COLUMNS = 2;
const IO_I32_COLUMNS = 4;

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * Page index entries of a table of `rangeCap` ranges: the writer uses at most
 * max(1, rangeCap / 4) buckets (a power of two below twice the rows over eight), plus one.
 */
export function indexCapacity(rangeCap: number): number {
  return Math.floor(rangeCap / 4) + 2;
}

/** Byte size of a table holding `rangeCap` ranges and `ioCap` ioeventfds. */
export function tableBytes(rangeCap: number, ioCap: number): number {
  return (
    TABLE_HEADER_BYTES +
    align8(rangeCap * (RANGE_F64_COLUMNS * F64 + RANGE_I32_COLUMNS * I32)) +
    align8(ioCap * (IO_F64_COLUMNS * F64 + IO_I32_COLUMNS * I32)) +
    align8(indexCapacity(rangeCap) * I32)
  );
}

/** Typed-array columns over one table buffer. Both sides build the same views. */
export class TableColumns {
  readonly buffer: SharedArrayBuffer;
  readonly header: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly hostBase: Float64Array;
  readonly offsetInRegion: Float64Array;
  readonly regionId: Int32Array;
  readonly mappingId: Int32Array;
  readonly typeFlags: Int32Array;
  readonly ioBase: Float64Array;
  readonly ioSize: Float64Array;
  readonly ioDataLo: Int32Array;
  readonly ioDataHi: Int32Array;
  readonly ioFlags: Int32Array;
  readonly ioFdId: Int32Array;
  /** The page index (see the module comment). */
  readonly pageIndex: Int32Array;
  /** The header as F64 (for `kTableIndexBaseF64`). */
  readonly headerF64: Float64Array;
  readonly rangeCap: number;
  readonly ioCap: number;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, TABLE_HEADER_WORDS);
    const r = this.header[kTableRangeCap]!;
    const e = this.header[kTableIoCap]!;
    this.rangeCap = r;
    this.ioCap = e;
    let at = TABLE_HEADER_BYTES;
    const f64 = (n: number) => {
      const a = new Float64Array(buffer, at, n);
      at += n * F64;
      return a;
    };
    const i32 = (n: number) => {
      const a = new Int32Array(buffer, at, n);
      at += n * I32;
      return a;
    };
    this.start = f64(r);
    this.end = f64(r);
    this.hostBase = f64(r);
    this.offsetInRegion = f64(r);
    this.regionId = i32(r);
    this.mappingId = i32(r);
    this.typeFlags = i32(r);
    at = align8(at);
    this.ioBase = f64(e);
    this.ioSize = f64(e);
    this.ioDataLo = i32(e);
    this.ioDataHi = i32(e);
    this.ioFlags = i32(e);
    this.ioFdId = i32(e);
    at = align8(at);
    this.pageIndex = i32(indexCapacity(r));
    this.headerF64 = new Float64Array(buffer, 0, TABLE_HEADER_WORDS / 2);
  }

  /** Allocates a zeroed table buffer with its capacities written into the header. */
  static allocate(rangeCap: number, ioCap: number): TableColumns {
    const buffer = new SharedArrayBuffer(tableBytes(rangeCap, ioCap));
    const header = new Int32Array(buffer, 0, TABLE_HEADER_WORDS);
    header[kTableRangeCap] = rangeCap;
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
  get ioCount(): number {
    return this.header[kTableIoCount]!;
  }
  get flags(): number {
    return this.header[kTableFlags]!;
  }
}

/** Capacity for `needed` entries: at least `minimum`, doubling, so tables grow geometrically. */
export function grownCapacity(needed: number, minimum: number): number {
  let cap = minimum;
  while (cap < needed) cap *= 2;
  return cap;
}
