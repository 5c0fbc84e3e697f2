/**
 * The part of a reader that every strategy shares: the adopted table, the RegionCache
 * (last readable and last writable range, tagged by the adopted table), lookups, guest
 * memory access, byte spans across adjacent RAM pieces, ioeventfd matching and MMIO exits.
 *
 * It never synchronises with the owner: the strategy subclasses (strategies/*.ts) decide
 * when a table may be adopted and wrap each access in whatever their strategy needs. The
 * `unsynchronized*` accessors are the bodies they wrap: a cached hit is a few compares and
 * one DataView access; a miss goes to the slow paths below, which allocate nothing.
 *
 * Access semantics (a vCPU's view of guest memory, SPEC 5 and 7):
 * - Ram / RamDevice: read and write memory; a write to a read-only mapping is `RegionType`.
 * - RomDevice with romd on: reads from memory, writes are MMIO exits; romd off: MMIO exits.
 * - IO: MMIO exits, the whole access to the one region. Without an MMIO handler an exit
 *   is `RegionType` ("mismatch region type").
 * - A write that matches an ioeventfd signals its EventFd and goes nowhere else.
 * - A span may cross adjacent memory pieces; a write is checked whole before any byte
 *   lands. An unmapped byte is `RegionNotFound`, a non-memory piece inside a span
 *   `RegionType`.
 */
import { AddressSpaceError } from '../core/errors.js';
import { ReaderDirectory, unknownEntryFault } from './directory.js';
import {
  kFlagIoeventfd,
  kTableEpoch,
  kTableGeneration,
  kTableRangeCount,
  kTypeMask,
  readerAdoptWord,
  readerEpochWord,
  type TableColumns,
} from './layout.js';
import {
  checkAccess,
  copyBytes,
  isReadableMemory,
  isWritableMemory,
  matchIoeventfd,
} from './reader-access.js';
import {
  type MmioExitHandler,
  type Strategy,
  TableRegionType,
  type TranslationTarget,
} from './reader-api.js';
import type { SharedReaderHandle } from './reader-handle.js';
import { kRecentRead, kRecentWrite, RecentRanges } from './recent-ranges.js';

export { type SharedReaderHandle, Translation } from './reader-handle.js';

const EMPTY_BYTES = new Uint8Array(new SharedArrayBuffer(8));
const EMPTY_VIEW = new DataView(EMPTY_BYTES.buffer);

export abstract class TableReader {
  abstract readonly strategy: Strategy;
  readonly readerIndex: number;
  protected readonly control: Int32Array;
  protected readonly slots: Int32Array;
  protected readonly slotTimes: Float64Array;
  protected readonly epochWord: number;
  protected readonly adoptWord: number;
  protected readonly directory: ReaderDirectory;

  // The adopted table and its columns (copied into fields for the lookup loop).
  protected tableId = 0;
  protected epoch = 0;
  protected adoptedGeneration = 0;
  private rows = 0;
  private tStart: Float64Array = new Float64Array(0);
  private tEnd: Float64Array = new Float64Array(0);
  private tHostBase: Float64Array = new Float64Array(0);
  private tOffset: Float64Array = new Float64Array(0);
  private tRegionId: Int32Array = new Int32Array(0);
  private tMappingId: Int32Array = new Int32Array(0);
  private tTypeFlags: Int32Array = new Int32Array(0);
  private table: TableColumns | undefined;
  private lastRow = 0;

  // RegionCache: the last readable and the last writable memory range of the adopted table.
  // A byte at `gpa` is at `off = gpa - rDelta` in `rBytes`; the range covers offsets
  // `[rLow, rHigh)`. The hit test `(off >>> 0) === off` also rejects fractions, NaN and
  // negatives (mapping offsets are below 2**32), so the fast path needs no other check.
  protected rDelta = 0;
  protected rLow = 1;
  protected rHigh = 0;
  protected rBytes: Uint8Array = EMPTY_BYTES;
  protected rView: DataView = EMPTY_VIEW;
  protected wDelta = 0;
  protected wLow = 1;
  protected wHigh = 0;
  protected wBytes: Uint8Array = EMPTY_BYTES;
  protected wView: DataView = EMPTY_VIEW;

  /** Second level: the last few ranges translated (recent-ranges.ts). */
  private readonly recent = new RecentRanges();
  private mmio: MmioExitHandler | undefined;
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private readonly scratchBySize: Uint8Array[] = [];

  constructor(handle: SharedReaderHandle) {
    this.readerIndex = handle.readerIndex;
    this.control = new Int32Array(handle.control);
    this.slots = new Int32Array(handle.readers);
    this.slotTimes = new Float64Array(handle.readers);
    this.epochWord = readerEpochWord(handle.readerIndex);
    this.adoptWord = readerAdoptWord(handle.readerIndex);
    this.directory = new ReaderDirectory(handle.directory);
    for (let n = 0; n <= 8; n++) this.scratchBySize.push(this.scratch.subarray(0, n));
  }

  /** The FlatView generation of the adopted table (0 before the first adopt). */
  get generation(): number {
    return this.adoptedGeneration;
  }

  setMmioHandler(handler: MmioExitHandler | undefined): void {
    this.mmio = handler;
  }

  /** Releases the directory channel. The reader must be offline. */
  close(): void {
    this.directory.close();
  }

  /**
   * Makes table `id` the adopted one and drops the caches. Returns false (changing
   * nothing) when the directory does not know the table: the caller faults.
   */
  protected setTable(id: number): boolean {
    const table = this.directory.table(id);
    if (table === undefined) return false;
    this.table = table;
    this.tableId = id;
    this.epoch = table.header[kTableEpoch]!;
    this.adoptedGeneration = table.header[kTableGeneration]!;
    this.rows = table.header[kTableRangeCount]!;
    this.tStart = table.start;
    this.tEnd = table.end;
    this.tHostBase = table.hostBase;
    this.tOffset = table.offsetInRegion;
    this.tRegionId = table.regionId;
    this.tMappingId = table.mappingId;
    this.tTypeFlags = table.typeFlags;
    this.lastRow = 0;
    this.dropCaches();
    return true;
  }

  /** The fault for a table id this reader's directory does not know. */
  protected static unknownTableFault(id: number): AddressSpaceError {
    return unknownEntryFault('table', id);
  }

  /** Forgets the adopted table (offline): the next access must adopt again. */
  protected dropTable(): void {
    this.table = undefined;
    this.tableId = 0;
    this.epoch = 0;
    this.rows = 0;
    this.dropCaches();
  }

  protected dropCaches(): void {
    this.rDelta = this.wDelta = 0;
    this.rLow = this.wLow = 1;
    this.rHigh = this.wHigh = 0;
    this.recent.clear();
    this.rBytes = this.wBytes = EMPTY_BYTES;
    this.rView = this.wView = EMPTY_VIEW;
  }

  /** Strategy hooks around an MMIO exit (the mutex strategy drops its lock). */
  protected beforeExit(): void {}
  protected afterExit(): void {}

  // ---- unsynchronized accessors: cached hit, else slow path ----

  protected unsynchronizedReadU8(gpa: number): number {
    const off = gpa - this.rDelta;
    if (typeof gpa === 'number' && off >>> 0 === off && off >= this.rLow && off + 1 <= this.rHigh) {
      return this.rBytes[off]!;
    }
    return this.slowRead(gpa, 1);
  }
  protected unsynchronizedReadU16(gpa: number): number {
    const off = gpa - this.rDelta;
    if (typeof gpa === 'number' && off >>> 0 === off && off >= this.rLow && off + 2 <= this.rHigh) {
      return this.rView.getUint16(off, true);
    }
    return this.slowRead(gpa, 2);
  }
  protected unsynchronizedReadU32(gpa: number): number {
    const off = gpa - this.rDelta;
    if (typeof gpa === 'number' && off >>> 0 === off && off >= this.rLow && off + 4 <= this.rHigh) {
      return this.rView.getUint32(off, true);
    }
    return this.slowRead(gpa, 4);
  }
  protected unsynchronizedReadU64(gpa: number): bigint {
    const off = gpa - this.rDelta;
    if (typeof gpa === 'number' && off >>> 0 === off && off >= this.rLow && off + 8 <= this.rHigh) {
      return this.rView.getBigUint64(off, true);
    }
    this.readBytes(gpa, this.scratchBySize[8]!);
    return this.scratchView.getBigUint64(0, true);
  }
  protected unsynchronizedWrite(gpa: number, size: number, value: number): void {
    const at = gpa - this.wDelta;
    if (typeof gpa === 'number' && at >>> 0 === at && at >= this.wLow && at + size <= this.wHigh) {
      if (size === 4) this.wView.setUint32(at, value, true);
      else if (size === 1) this.wBytes[at] = value;
      else this.wView.setUint16(at, value, true);
      return;
    }
    if (typeof gpa === 'number' && this.promote(gpa, size, true)) {
      const off = gpa - this.wDelta;
      if (size === 4) this.wView.setUint32(off, value, true);
      else if (size === 1) this.wBytes[off] = value;
      else this.wView.setUint16(off, value, true);
      return;
    }
    const bytes = this.scratchBySize[size]!;
    if (size === 4) this.scratchView.setUint32(0, value, true);
    else if (size === 1) this.scratch[0] = value;
    else this.scratchView.setUint16(0, value, true);
    this.writeBytes(gpa, bytes);
  }

  /**
   * Moves a recent range holding `[gpa, gpa + size)` into the first-level read or write
   * cache; false when none holds it.
   */
  private promote(gpa: number, size: number, forWrite: boolean): boolean {
    const recent = this.recent;
    const k = recent.find(gpa, size, forWrite ? kRecentWrite : kRecentRead);
    if (k < 0) return false;
    if (forWrite) {
      this.wDelta = asInt32IfExact(recent.delta[k]!);
      this.wLow = asInt32IfExact(recent.low[k]!);
      this.wHigh = asInt32IfExact(recent.high[k]!);
      this.wBytes = recent.bytes[k]!;
      this.wView = recent.views[k]!;
    } else {
      this.rDelta = asInt32IfExact(recent.delta[k]!);
      this.rLow = asInt32IfExact(recent.low[k]!);
      this.rHigh = asInt32IfExact(recent.high[k]!);
      this.rBytes = recent.bytes[k]!;
      this.rView = recent.views[k]!;
    }
    return true;
  }
  protected unsynchronizedWriteU64(gpa: number, value: bigint): void {
    const at = gpa - this.wDelta;
    if (typeof gpa === 'number' && at >>> 0 === at && at >= this.wLow && at + 8 <= this.wHigh) {
      this.wView.setBigUint64(at, value, true);
      return;
    }
    this.scratchView.setBigUint64(0, value, true);
    this.writeBytes(gpa, this.scratchBySize[8]!);
  }

  /** Fills `out` with what the adopted table says about `gpa`; false when unmapped. */
  protected unsynchronizedTranslate(gpa: number, out: TranslationTarget): boolean {
    checkAccess(gpa, 1);
    out.generation = this.adoptedGeneration;
    const row = this.findRow(gpa);
    if (row < 0) {
      out.regionId = -1;
      out.regionType = 0;
      out.hostAddress = -1;
      return false;
    }
    const flags = this.tTypeFlags[row]!;
    out.regionId = this.tRegionId[row]!;
    out.regionType = flags & kTypeMask;
    out.start = this.tStart[row]!;
    out.end = this.tEnd[row]!;
    out.offsetInRegion = this.tOffset[row]! + (gpa - out.start);
    out.hostAddress =
      (flags & kTypeMask) === TableRegionType.IO ? -1 : this.tHostBase[row]! + (gpa - out.start);
    return true;
  }

  // ---- slow paths ----

  /** Row of the adopted table holding `gpa`, or -1. Tries the last row hit first. */
  protected findRow(gpa: number): number {
    const last = this.lastRow;
    if (last < this.rows && gpa >= this.tStart[last]! && gpa < this.tEnd[last]!) return last;
    const start = this.tStart;
    const end = this.tEnd;
    let lo = 0;
    let hi = this.rows - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (gpa < start[mid]!) hi = mid - 1;
      else if (gpa >= end[mid]!) lo = mid + 1;
      else {
        this.lastRow = mid;
        return mid;
      }
    }
    return -1;
  }

  private rowOrThrow(gpa: number): number {
    if (this.table === undefined) {
      throw new AddressSpaceError('ReaderFault', 'Reader fault: the reader is offline');
    }
    const row = this.findRow(gpa);
    if (row < 0) throw AddressSpaceError.regionNotFound(gpa);
    return row;
  }

  /** Fills the read or write cache from `row`; returns `delta` (byte `gpa` is at `gpa - delta`). */
  private cacheRow(row: number, forWrite: boolean): number {
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
      throw new AddressSpaceError('ReaderFault', 'Reader fault: torn view table');
    }
    const flags = this.tTypeFlags[row]!;
    const access =
      (isReadableMemory(flags) ? kRecentRead : 0) |
      (isWritableMemory(flags) && (flags & kFlagIoeventfd) === 0 ? kRecentWrite : 0);
    this.recent.remember(delta, offset, end - delta, access, bytes, view);
    // Stored as small integers whenever they fit: V8 then keeps these fields in integer
    // representation and the hit test runs in integer arithmetic. A value that does not
    // fit turns the fields into boxed doubles for good (still correct, slower).
    if (forWrite) {
      this.wDelta = asInt32IfExact(delta);
      this.wLow = asInt32IfExact(offset);
      this.wHigh = asInt32IfExact(end - delta);
      this.wBytes = bytes;
      this.wView = view;
    } else {
      this.rDelta = asInt32IfExact(delta);
      this.rLow = asInt32IfExact(offset);
      this.rHigh = asInt32IfExact(end - delta);
      this.rBytes = bytes;
      this.rView = view;
    }
    return delta;
  }

  private slowRead(gpa: number, size: 1 | 2 | 4): number {
    if (typeof gpa === 'number' && this.promote(gpa, size, false)) {
      const off = gpa - this.rDelta;
      if (size === 4) return this.rView.getUint32(off, true);
      if (size === 2) return this.rView.getUint16(off, true);
      return this.rBytes[off]!;
    }
    checkAccess(gpa, size);
    const row = this.rowOrThrow(gpa);
    if (isReadableMemory(this.tTypeFlags[row]!) && gpa + size <= this.tEnd[row]!) {
      const at = gpa - this.cacheRow(row, false);
      if (at < this.rLow || at + size > this.rHigh) throw AddressSpaceError.regionNotFound(gpa);
      if (size === 4) return this.rView.getUint32(at, true);
      if (size === 2) return this.rView.getUint16(at, true);
      return this.rBytes[at]!;
    }
    const bytes = this.scratchBySize[size]!;
    this.readBytes(gpa, bytes);
    if (size === 4) return this.scratchView.getUint32(0, true);
    if (size === 2) return this.scratchView.getUint16(0, true);
    return this.scratch[0]!;
  }

  /** Reads `dst.length` bytes at `gpa`: memory (across adjacent pieces) or one MMIO exit. */
  protected readBytes(gpa: number, dst: Uint8Array): void {
    const len = dst.length;
    checkAccess(gpa, len);
    const row = this.rowOrThrow(gpa);
    const flags = this.tTypeFlags[row]!;
    if (!isReadableMemory(flags)) {
      this.exitOrRefuse(row, gpa, dst, false);
      return;
    }
    const last = this.spanLastRow(row, gpa, len, false);
    let done = 0;
    for (let r = row; r <= last; r++) {
      const delta = this.cacheRow(r, false);
      const from = r === row ? gpa : this.tStart[r]!;
      const n = Math.min(this.tEnd[r]! - from, len - done);
      copyBytes(this.rBytes, from - delta, dst, done, n);
      done += n;
    }
  }

  /** Writes `src` at `gpa`: an ioeventfd, memory (checked whole first) or one MMIO exit. */
  protected writeBytes(gpa: number, src: Uint8Array): void {
    const len = src.length;
    checkAccess(gpa, len);
    const row = this.rowOrThrow(gpa);
    const flags = this.tTypeFlags[row]!;
    if ((flags & kFlagIoeventfd) !== 0) {
      const fdId = matchIoeventfd(this.table!, gpa, src);
      if (fdId !== 0) {
        this.directory.eventFd(fdId).signal();
        return;
      }
    }
    const type = flags & kTypeMask;
    if (!isWritableMemory(flags)) {
      if (type === TableRegionType.Ram || type === TableRegionType.RamDevice) {
        throw AddressSpaceError.regionType('write to read-only memory');
      }
      this.exitOrRefuse(row, gpa, src, true);
      return;
    }
    const last = this.spanLastRow(row, gpa, len, true);
    let done = 0;
    let doorbells = false;
    for (let r = row; r <= last; r++) {
      const delta = this.cacheRow(r, true);
      const from = r === row ? gpa : this.tStart[r]!;
      const n = Math.min(this.tEnd[r]! - from, len - done);
      copyBytes(src, done, this.wBytes, from - delta, n);
      done += n;
      if ((this.tTypeFlags[r]! & kFlagIoeventfd) !== 0) doorbells = true;
    }
    // Writes to a range with ioeventfds must keep going through the matching above.
    if (doorbells) {
      this.wLow = 1;
      this.wHigh = 0;
    }
  }

  /** The last row of a memory span starting in `row`; throws unless every byte is usable memory. */
  private spanLastRow(row: number, gpa: number, len: number, forWrite: boolean): number {
    const spanEnd = gpa + len;
    let r = row;
    while (this.tEnd[r]! < spanEnd) {
      const next = r + 1;
      if (next >= this.rows || this.tStart[next]! !== this.tEnd[r]!) {
        throw AddressSpaceError.regionNotFound(this.tEnd[r]!);
      }
      const flags = this.tTypeFlags[next]!;
      const usable = forWrite ? isWritableMemory(flags) : isReadableMemory(flags);
      if (!usable) throw AddressSpaceError.regionType('mismatch region type');
      r = next;
    }
    return r;
  }

  private exitOrRefuse(row: number, gpa: number, data: Uint8Array, isWrite: boolean): void {
    const handler = this.mmio;
    if (handler === undefined) throw AddressSpaceError.regionType('mismatch region type');
    const offset = this.tOffset[row]! + (gpa - this.tStart[row]!);
    const regionBase = gpa - offset;
    const regionId = this.tRegionId[row]!;
    let ok: boolean;
    this.beforeExit();
    try {
      ok = handler(regionId, regionBase, offset, data, isWrite);
    } catch (cause) {
      if (cause instanceof AddressSpaceError) throw cause;
      throw AddressSpaceError.ioAccess(regionBase, offset, data.length, cause);
    } finally {
      this.afterExit();
    }
    if (!ok) throw AddressSpaceError.ioAccess(regionBase, offset, data.length);
  }
}

/** `x` as an int32 value when it is one exactly (so V8 can store it as a small integer). */
function asInt32IfExact(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}
