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
 * ## Chunk arena (a few large SharedArrayBuffers, each broadcast once; chunks immutable while referenced)
 *
 * The rows of every view table live in chunks of `CHUNK_ROWS` rows, held in arenas: one
 * arena buffer holds `kArenaChunkCap` (K) chunks, and chunk `c`'s row `i` is arena row
 * `c * CHUNK_ROWS + i` of every range column. A table names the chunks it uses in its
 * directory; a chunk referenced by a published table is never written, so a publish copies
 * only the chunks whose rows changed and shares the rest with the previous table
 * (publication/chunk-arena.ts keeps the owner's reference counts).
 *
 * | header word | name            | meaning                                  |
 * |-------------|-----------------|------------------------------------------|
 * | 0           | kArenaChunkCap  | chunks this arena holds (K)              |
 *
 * Then (`ARENA_HEADER_WORDS` Int32 words first, each column 8-byte aligned): range
 * columns over K * CHUNK_ROWS rows (sorted by start within a chunk, non-overlapping):
 * `start` F64, `end` F64, `hostBase` F64 (host address of `start`, 0 for IO),
 * `offsetInRegion` F64, `regionId` I32, `mappingId` I32 (directory id of the backing
 * mapping, 0 for IO), `typeFlags` I32 (TableRegionType in the low byte, kFlag* bits
 * above: kFlagIoeventfd is the mark of the tables that use the chunk).
 *
 * Per chunk: `chunkIndex` I32 (`CHUNK_INDEX_WORDS` per chunk), the chunk's own page
 * index, about one bucket per eight rows from its first row's start: entry b is the first
 * row of the chunk whose end is above bucket b's start, entry B (the bucket count) the row
 * count. Written with the chunk's rows; the directory entries naming the chunk carry its
 * meta word (`dirMeta`), which says how many rows and buckets it has.
 *
 * ## View table (one SharedArrayBuffer per table; immutable while published)
 *
 * Header (`TABLE_HEADER_WORDS` Int32 words), then columns, each starting 8-byte aligned:
 *
 * | header word | name               | meaning                                     |
 * |-------------|--------------------|---------------------------------------------|
 * | 0           | kTableEpoch        | epoch this table was published under          |
 * | 1           | kTableGeneration   | the FlatView's `generation`                   |
 * | 2           | kTableRangeCount   | ranges in use (the rows of all its chunks)    |
 * | 3           | kTableIoCount      | ioeventfds in use                             |
 * | 4           | kTableChunkCap     | directory capacity (chunks) of this table     |
 * | 5           | kTableIoCap        | ioeventfd capacity of this table              |
 * | 6           | kTableFlags        | kTableHypIoeventfd, kTableDirtyLog (publisher's ViewFlags) |
 * | 7           | kTableIndexShift   | log2 of the page index's bucket size           |
 * | 8-9 (F64 #4)| kTableIndexBaseF64 | address of bucket 0 (the first range's start)  |
 * | 10          | kTableIndexBuckets | buckets in use (0: no index; search the directory) |
 * | 11          | kTableChunkCount   | directory entries in use                      |
 * | 12          | kTableArena        | directory id of the arena holding its chunks  |
 *
 * Directory (capacity D, in address order): `dirFirst` F64 (the chunk's first start, also
 * bucket 0 of its own index), `dirEnd` F64 (its last row's end), `dirChunk` I32 (chunk
 * number in the arena), `dirMeta` I32 (the chunk's meta word: its row count, 1..CHUNK_ROWS,
 * in bits 0-9, its index's bucket count in bits 10-16 and log2 of that index's bucket size
 * in bits 17-24; a chunk is immutable, so its word is copied with the entry), `dirRow` I32
 * (the view's row number of the chunk's first row; the owner's). Readers use `dirFirst`,
 * `dirChunk` and `dirMeta`: all indexed by the entry, so they load side by side.
 *
 * ioeventfd columns (capacity E, sorted by base; written whole with every table, they are
 * few): `ioBase` F64, `ioSize` F64, `ioDataLo` I32, `ioDataHi` I32 (the 64-bit match
 * value), `ioFlags` I32 (kIoDataMatch), `ioFdId` I32 (directory id of the EventFd).
 *
 * Page index (capacity `indexCapacity(D)` I32): the cold lookup's first step, over the
 * directory. The span from the first range's start to the last range's end is cut into B
 * buckets of `2**kTableIndexShift` bytes (B at most a power of two, about two per chunk);
 * `pageIndex[2b]` is the first directory entry whose last row ends above bucket b's start
 * and `pageIndex[2b + 1]` the last entry that starts before bucket b's end (below the first
 * when no chunk meets the bucket). A row holding `gpa` in bucket b is in one of those
 * entries (the last of them whose `dirFirst` is at or below `gpa`; usually there is one);
 * the chunk's own index then narrows it to a few rows (reader/chunk-lookup.ts).
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
export const kTableChunkCap = 4;
export const kTableIoCap = 5;
export const kTableFlags = 6;
export const kTableIndexShift = 7;
/** Index in a Float64Array over the header: bytes 32..39. */
export const kTableIndexBaseF64 = 4;
export const kTableIndexBuckets = 10;
export const kTableChunkCount = 11;
export const kTableArena = 12;
/** `kTableFlags` bit: readers match ioeventfds themselves (StratoVirt's hyp_ioevtfd_enabled). */
export const kTableHypIoeventfd = 1;
/** `kTableFlags` bit: dirty logging is on; every write marks its page (SPEC 10). */
export const kTableDirtyLog = 2;
/** Header words (thirteen in use, the rest reserved); the columns start after them. */
export const TABLE_HEADER_WORDS = 16;

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
export const MIN_CHUNK_CAPACITY = 16;
export const MIN_IO_CAPACITY = 16;

// ---- chunk arenas ----
/** log2 of `CHUNK_ROWS`. */
export const CHUNK_SHIFT = 8;
/** Rows per chunk: arena row `c * CHUNK_ROWS + i` is chunk c's row i. */
export const CHUNK_ROWS = 1 << CHUNK_SHIFT;
/** Rows per bucket of a chunk's own page index (about). */
export const CHUNK_ROWS_PER_BUCKET = 8;
/** Entries of one chunk's page index: at most CHUNK_ROWS / 8 buckets, plus one, padded. */
export const CHUNK_INDEX_WORDS = CHUNK_ROWS / CHUNK_ROWS_PER_BUCKET + 2;
export const kArenaChunkCap = 0;
/** `chunkMeta` fields (layout.ts "Chunk arena"). */
export const kMetaRowsMask = 0x3ff;
export const kMetaBucketsShift = 10;
export const kMetaBucketsMask = 0x7f;
export const kMetaIndexShiftShift = 17;
export const ARENA_HEADER_WORDS = 16;

/** Capacity for `needed` entries: at least `minimum`, doubling, so tables grow geometrically. */
export function grownCapacity(needed: number, minimum: number): number {
  let cap = minimum;
  while (cap < needed) cap *= 2;
  return cap;
}
