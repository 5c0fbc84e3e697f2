/**
 * The table a reader has adopted, and its TranslationCache: the columns of the current
 * table copied into fields, the first-level cache (last readable and last writable range)
 * that the access fast paths test, the second level (recent-ranges.ts), row lookup, and
 * the filling of both levels from a row. (Not core's `RegionCache`, the owner's
 * `getRegionCache` answer: this cache belongs to one reader and one adopted table.)
 *
 * It never synchronises with the owner and never touches guest memory beyond building
 * views of it: strategies decide when to adopt (setTable), view-reader.ts accesses.
 */
import { AddressSpaceError } from '../../base/errors.js';
import { ChunkLookup } from './chunk-lookup.js';
import { ReaderDirectory } from './directory.js';
import {
  kFlagIoeventfd,
  kTableArena,
  kTableDirtyLog,
  kTableEpoch,
  kTableFlags,
  kTableGeneration,
  kTableHypIoeventfd,
} from './layout.js';
import { isReadableMemory, isWritableMemory } from './reader-access.js';
import type { ReaderHandle } from './reader-api.js';
import { readerOfflineFault, tornTableFault } from './reader-faults.js';
import { kRecentRead, kRecentWrite, RecentRanges } from './recent-ranges.js';
import type { TableColumns } from './table-columns.js';

const EMPTY_BYTES = new Uint8Array(new SharedArrayBuffer(8));
const EMPTY_VIEW = new DataView(EMPTY_BYTES.buffer);
const EMPTY_BITMAP = new Int32Array(new SharedArrayBuffer(4));

export abstract class AdoptedTable {
  readonly readerIndex: number;
  protected readonly control: Int32Array;
  protected readonly directory: ReaderDirectory;

  // The adopted table, and the columns of the arena holding its rows (a row is an arena
  // row: `lookup` answers them).
  protected tableId = 0;
  protected epoch = 0;
  protected adoptedGeneration = 0;
  protected tStart: Float64Array = new Float64Array(0);
  protected tEnd: Float64Array = new Float64Array(0);
  protected tHostBase: Float64Array = new Float64Array(0);
  protected tOffset: Float64Array = new Float64Array(0);
  protected tRegionId: Int32Array = new Int32Array(0);
  protected tMappingId: Int32Array = new Int32Array(0);
  protected tTypeFlags: Int32Array = new Int32Array(0);
  /** Row lookup in the adopted table (page index, directory, chunk index). */
  protected readonly lookup = new ChunkLookup();
  protected table: TableColumns | undefined;
  /** The adopted table's `kTableHypIoeventfd`: this reader signals matching doorbells. */
  protected hypIoeventfd = false;
  /** The adopted table's `kTableDirtyLog`: every write marks its page (SPEC 10). */
  protected logDirty = false;

  // TranslationCache, first level: the last readable and the last writable memory range
  // of the adopted table.
  // A byte at `gpa` is at `off = gpa - rDelta` in `rBytes`; the range covers offsets
  // `[rLow, rHigh)`. The hit test `(off >>> 0) === off` also rejects fractions, NaN and
  // negatives (mapping offsets are below 2**32), so the fast path needs no other check.
  protected rDelta = 0;
  protected rLow = 1;
  protected rHigh = 0;
  protected rBytes: Uint8Array = EMPTY_BYTES;
  protected rView: DataView = EMPTY_VIEW;
  /** Published region id of the cached read range (what a verified access checks against). */
  protected rRegion = 0;
  /** Host address of byte 0 of the cached read range's mapping. */
  protected rHost = 0;
  protected wDelta = 0;
  protected wLow = 1;
  protected wHigh = 0;
  protected wBytes: Uint8Array = EMPTY_BYTES;
  protected wView: DataView = EMPTY_VIEW;
  protected wRegion = 0;
  protected wHost = 0;
  // While dirty logging is on, the first-level write cache stays empty (its fast path
  // does not mark) and the last writable range lives here instead, with its mapping's
  // bitmap: view-reader.ts's logged write path stores and marks through it.
  protected lDelta = 0;
  protected lLow = 1;
  protected lHigh = 0;
  protected lBytes: Uint8Array = EMPTY_BYTES;
  protected lView: DataView = EMPTY_VIEW;
  protected lDirty: Int32Array = EMPTY_BITMAP;

  /** Second level: the last few ranges translated (recent-ranges.ts). */
  protected readonly recent = new RecentRanges();

  constructor(handle: ReaderHandle) {
    this.readerIndex = handle.readerIndex;
    this.control = new Int32Array(handle.control);
    this.directory = new ReaderDirectory(handle.directory);
  }

  /**
   * Makes table `id` the adopted one and drops the caches (strategy `none` alone keeps
   * them: `keepCaches`). Returns false (changing nothing) when the directory does not know
   * the table: the caller faults.
   */
  protected setTable(id: number, keepCaches = false): boolean {
    const table = this.directory.table(id);
    if (table === undefined) return false;
    const arena = this.directory.arena(table.header[kTableArena]!);
    if (arena === undefined) return false;
    this.table = table;
    this.tableId = id;
    this.epoch = table.header[kTableEpoch]!;
    this.adoptedGeneration = table.header[kTableGeneration]!;
    this.lookup.set(table, arena);
    this.tStart = arena.start;
    this.tEnd = arena.end;
    this.tHostBase = arena.hostBase;
    this.tOffset = arena.offsetInRegion;
    this.tRegionId = arena.regionId;
    this.tMappingId = arena.mappingId;
    this.tTypeFlags = arena.typeFlags;
    const flags = table.header[kTableFlags]!;
    const logDirty = (flags & kTableDirtyLog) !== 0;
    this.hypIoeventfd = (flags & kTableHypIoeventfd) !== 0;
    // A cache filled without logging must not survive into logging (strategy none too).
    if (!keepCaches || logDirty !== this.logDirty) this.dropCaches();
    this.logDirty = logDirty;
    return true;
  }

  /** Forgets the adopted table (offline): the next access must adopt again. */
  protected dropTable(): void {
    this.table = undefined;
    this.tableId = 0;
    this.epoch = 0;
    this.lookup.clear();
    this.dropCaches();
  }

  protected dropCaches(): void {
    this.rDelta = this.wDelta = 0;
    this.rLow = this.wLow = 1;
    this.rHigh = this.wHigh = 0;
    this.recent.clear();
    this.rBytes = this.wBytes = EMPTY_BYTES;
    this.rView = this.wView = EMPTY_VIEW;
    this.lDelta = 0;
    this.lLow = 1;
    this.lHigh = 0;
    this.lBytes = EMPTY_BYTES;
    this.lView = EMPTY_VIEW;
    this.lDirty = EMPTY_BITMAP;
  }

  /**
   * Arena row of the adopted table holding `gpa`, or -1 (chunk-lookup.ts: page index,
   * directory, the chunk's own index, then a search of a few rows). No "last row" guess
   * first: the caches in front of this already answer repeats.
   */
  protected findRow(gpa: number): number {
    return this.lookup.find(gpa);
  }

  /** The row after `row` in the adopted table (by address), or -1. */
  protected nextRow(row: number): number {
    return this.lookup.next(row);
  }

  protected rowOrThrow(gpa: number): number {
    if (this.table === undefined) throw readerOfflineFault();
    const row = this.findRow(gpa);
    if (row < 0) throw AddressSpaceError.regionNotFound(gpa);
    return row;
  }

  /** Fills the read or write cache from `row`; returns `delta` (byte `gpa` is at `gpa - delta`). */
  protected cacheRow(row: number, forWrite: boolean): number {
    // A span's next row vanished: only a table rewritten under the reader (strategy none).
    if (row < 0) throw tornTableFault();
    const mappingId = this.tMappingId[row]!;
    this.directory.requireMapping(mappingId);
    // Each column is read once: under strategy `none` the table may change meanwhile.
    const start = this.tStart[row]!;
    const end = this.tEnd[row]!;
    const offset = this.tOffset[row]!;
    // Byte k of a region's mapping is host address `mapping.hostAddress + k`, and a range
    // starts at byte `offsetInRegion`: so `gpa - delta` is the byte's offset in the mapping.
    const delta = start - offset;
    const bytes = this.directory.mappingBytes[mappingId]!;
    const view = this.directory.mappingViews[mappingId]!;
    if (!(offset >= 0 && end > start && end - delta <= bytes.length)) {
      // Only a table rewritten under the reader (strategy none) gets here.
      throw tornTableFault();
    }
    const flags = this.tTypeFlags[row]!;
    const region = this.tRegionId[row]!;
    const host = this.tHostBase[row]! - offset;
    const cachedWrite = isWritableMemory(flags) && (flags & kFlagIoeventfd) === 0;
    const access =
      (isReadableMemory(flags) ? kRecentRead : 0) |
      (cachedWrite && !this.logDirty ? kRecentWrite : 0);
    this.recent.remember(delta, offset, end - delta, access, bytes, view, region, host);
    // Stored as small integers whenever they fit: V8 then keeps these fields in integer
    // representation and the hit test runs in integer arithmetic. A value that does not
    // fit turns the fields into boxed doubles for good (still correct, slower).
    if (forWrite) {
      this.wDelta = asInt32IfExact(delta);
      this.wLow = asInt32IfExact(offset);
      this.wHigh = asInt32IfExact(end - delta);
      this.wBytes = bytes;
      this.wView = view;
      this.wRegion = region;
      this.wHost = host;
      if (this.logDirty) this.moveToLoggedCache(cachedWrite, mappingId);
    } else {
      this.rDelta = asInt32IfExact(delta);
      this.rLow = asInt32IfExact(offset);
      this.rHigh = asInt32IfExact(end - delta);
      this.rBytes = bytes;
      this.rView = view;
      this.rRegion = region;
      this.rHost = host;
    }
    return delta;
  }

  /**
   * Dirty logging: the write range just cached becomes the logged write range (when
   * writes may be cached there at all) and the unmarked fast path is emptied.
   */
  private moveToLoggedCache(cachedWrite: boolean, mappingId: number): void {
    if (cachedWrite) {
      this.lDelta = this.wDelta;
      this.lLow = this.wLow;
      this.lHigh = this.wHigh;
      this.lBytes = this.wBytes;
      this.lView = this.wView;
      this.lDirty = this.directory.mappingDirty[mappingId] ?? EMPTY_BITMAP;
    } else {
      this.lLow = 1;
      this.lHigh = 0;
    }
    this.wLow = 1;
    this.wHigh = 0;
  }

  /**
   * Moves a recent range holding `[gpa, gpa + size)` into the first-level read or write
   * cache; false when none holds it.
   */
  protected promote(gpa: number, size: number, forWrite: boolean): boolean {
    const recent = this.recent;
    const k = recent.find(gpa, size, forWrite ? kRecentWrite : kRecentRead);
    if (k < 0) return false;
    if (forWrite) {
      this.wDelta = asInt32IfExact(recent.delta[k]!);
      this.wLow = asInt32IfExact(recent.low[k]!);
      this.wHigh = asInt32IfExact(recent.high[k]!);
      this.wBytes = recent.bytes[k]!;
      this.wView = recent.views[k]!;
      this.wRegion = recent.region[k]!;
      this.wHost = recent.host[k]!;
    } else {
      this.rDelta = asInt32IfExact(recent.delta[k]!);
      this.rLow = asInt32IfExact(recent.low[k]!);
      this.rHigh = asInt32IfExact(recent.high[k]!);
      this.rBytes = recent.bytes[k]!;
      this.rView = recent.views[k]!;
      this.rRegion = recent.region[k]!;
      this.rHost = recent.host[k]!;
    }
    return true;
  }
}

/** `x` as an int32 value when it is one exactly (so V8 can store it as a small integer). */
function asInt32IfExact(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}
