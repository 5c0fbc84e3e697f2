/**
 * The part of a reader that every strategy shares, on top of its adopted table
 * (adopted-table.ts): guest memory access through the TranslationCache, byte spans across
 * adjacent RAM pieces, ioeventfd matching, MMIO exits and translation.
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
 * - A write that matches an ioeventfd signals its EventFd and goes nowhere else, when the
 *   table says the hypervisor handles ioeventfds (`kTableHypIoeventfd`); else it exits.
 * - While the table says dirty logging is on (`kTableDirtyLog`), every memory write marks
 *   its pages in the mapping's bitmap after its bytes land: the unmarked first-level write
 *   cache stays empty and writes take `loggedWrite` (SPEC 10).
 *
 * The reader counts what its accesses did (`ioeventfdSignals`, `mmioExits`), so a caller
 * learns it from two plain loads instead of translating the address again.
 * - A span may cross adjacent memory pieces; a write is checked whole before any byte
 *   lands. An unmapped byte is `RegionNotFound`, a non-memory piece inside a span
 *   `RegionType`.
 */
import { PAGE_SIZE } from '../../base/constants.js';
import { AddressSpaceError } from '../../base/errors.js';
import { checkU64, checkUnsigned, U64_MAX } from '../../base/typed-values.js';
import { markDirtyPage, markDirtyPages } from '../../host/dirty-bitmap.js';
import { kFlagIoeventfd, kTypeMask } from './layout.js';
import {
  checkAccess,
  copyBytes,
  isReadableMemory,
  isWritableMemory,
  matchIoeventfd,
} from './reader-access.js';
import {
  type MmioExitHandler,
  type ReaderHandle,
  type Strategy,
  TableRegionType,
} from './reader-api.js';
import type { TranslationTarget } from './translation.js';
import { VerifiedTable } from './verified-access.js';

/**
 * The access bodies every strategy's reader shares (for plug-in strategies): lookups in the
 * adopted view table, guest memory reads and writes, ioeventfd matching, MMIO exits and
 * dirty marking. A strategy's reader extends it and wraps the accesses in its protection.
 */
export abstract class TableReader extends VerifiedTable {
  abstract readonly strategy: Strategy;
  private mmio: MmioExitHandler | undefined;
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private readonly scratchBySize: Uint8Array[] = [];
  private signalCount = 0;
  /** A one-shot stall armed by `stallNextRead` (ms), and the word its wait sleeps on. */
  private stallMs = 0;
  private stallWord: Int32Array | undefined;
  private exitCount = 0;

  constructor(handle: ReaderHandle) {
    super(handle);
    for (let n = 0; n <= 8; n++) this.scratchBySize.push(this.scratch.subarray(0, n));
  }

  /** The FlatView generation of the adopted table (0 before the first adopt). */
  get generation(): number {
    return this.adoptedGeneration;
  }

  /** Writes that matched an ioeventfd (its EventFd signalled instead of memory or a device). */
  get ioeventfdSignals(): number {
    return this.signalCount;
  }

  /** Accesses handed to the MMIO handler, whether or not the device accepted them. */
  get mmioExits(): number {
    return this.exitCount;
  }

  setMmioHandler(handler: MmioExitHandler | undefined): void {
    this.mmio = handler;
  }

  /** Releases the directory channel. The reader must be offline. */
  close(): void {
    this.directory.close();
  }

  /**
   * Arms the stalled-reader scenario (SPEC 7): the next `read(gpa, dst)` that reaches
   * guest memory stops for `ms` milliseconds after it resolved its ranges and before it
   * copies, that is inside the access, holding whatever the strategy holds during one.
   * Then it copies from the host memory it resolved before the stall.
   */
  stallNextRead(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw AddressSpaceError.invalidArgument(
        `stall must be a non-negative number of ms, got ${ms}`,
      );
    }
    this.stallMs = ms;
  }

  private stallInsideAccess(): void {
    const ms = this.stallMs;
    this.stallMs = 0;
    this.stallWord ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(this.stallWord, 0, 0, ms);
  }

  /** Strategy hooks around an MMIO exit (the mutex strategy drops its lock). */
  protected beforeExit(): void {}
  protected afterExit(): void {}

  // ---- unsynchronized accessors: cached hit, else slow path ----

  protected unsynchronizedReadU8(gpa: number): number {
    if (typeof gpa === 'number') {
      const off = gpa - this.rDelta;
      if (off >>> 0 === off && off >= this.rLow && off + 1 <= this.rHigh) {
        return this.rBytes[off]!;
      }
    }
    return this.slowRead(gpa, 1);
  }
  protected unsynchronizedReadU16(gpa: number): number {
    if (typeof gpa === 'number') {
      const off = gpa - this.rDelta;
      if (off >>> 0 === off && off >= this.rLow && off + 2 <= this.rHigh) {
        return this.rView.getUint16(off, true);
      }
    }
    return this.slowRead(gpa, 2);
  }
  protected unsynchronizedReadU32(gpa: number): number {
    if (typeof gpa === 'number') {
      const off = gpa - this.rDelta;
      if (off >>> 0 === off && off >= this.rLow && off + 4 <= this.rHigh) {
        return this.rView.getUint32(off, true);
      }
    }
    return this.slowRead(gpa, 4);
  }
  protected unsynchronizedReadU64(gpa: number): bigint {
    if (typeof gpa === 'number') {
      const off = gpa - this.rDelta;
      if (off >>> 0 === off && off >= this.rLow && off + 8 <= this.rHigh) {
        return this.rView.getBigUint64(off, true);
      }
    }
    this.readBytes(gpa, this.scratchBySize[8]!);
    return this.scratchView.getBigUint64(0, true);
  }
  // Each write width has its own small fast path, so that it inlines into the caller and
  // a uint32 value >= 2**30 stays an untagged number (a shared `(gpa, size, value)` body
  // was too big to inline, and passing such a value to it boxed it on every write).
  protected unsynchronizedWriteU8(gpa: number, value: number): void {
    if (typeof gpa === 'number') {
      const at = gpa - this.wDelta;
      // The value is checked as AddressSpace checks it, after the address (a cached hit).
      if (
        at >>> 0 === at &&
        at >= this.wLow &&
        at + 1 <= this.wHigh &&
        typeof value === 'number' &&
        (value & 0xff) === value
      ) {
        this.wBytes[at] = value;
        return;
      }
    }
    this.slowWrite(gpa, 1, value);
  }
  protected unsynchronizedWriteU16(gpa: number, value: number): void {
    if (typeof gpa === 'number') {
      const at = gpa - this.wDelta;
      // The value is checked as AddressSpace checks it, after the address (a cached hit).
      if (
        at >>> 0 === at &&
        at >= this.wLow &&
        at + 2 <= this.wHigh &&
        typeof value === 'number' &&
        (value & 0xffff) === value
      ) {
        this.wView.setUint16(at, value, true);
        return;
      }
    }
    this.slowWrite(gpa, 2, value);
  }
  protected unsynchronizedWriteU32(gpa: number, value: number): void {
    if (typeof gpa === 'number') {
      const at = gpa - this.wDelta;
      // The value is checked as AddressSpace checks it, after the address (a cached hit).
      if (
        at >>> 0 === at &&
        at >= this.wLow &&
        at + 4 <= this.wHigh &&
        typeof value === 'number' &&
        value >>> 0 === value
      ) {
        this.wView.setUint32(at, value, true);
        return;
      }
    }
    this.slowWrite(gpa, 4, value);
  }

  /**
   * A write the first-level cache missed: a recent range, else `writeBytes` (ioeventfd
   * match first, then memory checked whole, or one MMIO exit). `value` holds the low
   * `size` bytes to store (any int32 or uint32 with those bytes).
   */
  private slowWrite(gpa: number, size: 1 | 2 | 4, unchecked: number): void {
    // Checked here, off the fast paths, as AddressSpace checks it (typed error, nothing
    // written): one compare inline, the error built out of line. Then as an int32 (same
    // bytes): a Smi more often than the uint32 would be.
    if (
      typeof unchecked !== 'number' ||
      (size === 4 ? unchecked >>> 0 : unchecked & (size === 1 ? 0xff : 0xffff)) !== unchecked
    ) {
      refuseValue(unchecked, size);
    }
    const value = unchecked | 0;
    if (this.logDirty && this.loggedWrite(gpa, size, value)) return;
    if (typeof gpa === 'number' && this.promote(gpa, size, true)) {
      const off = gpa - this.wDelta;
      if (size === 4) this.wView.setInt32(off, value, true);
      else if (size === 1) this.wBytes[off] = value;
      else this.wView.setUint16(off, value, true);
      return;
    }
    const bytes = this.scratchBySize[size]!;
    if (size === 4) this.scratchView.setInt32(0, value, true);
    else if (size === 1) this.scratch[0] = value;
    else this.scratchView.setUint16(0, value, true);
    this.writeBytes(gpa, bytes);
  }

  /**
   * Dirty logging's write path: a hit in the logged write range stores, then marks the
   * page (host/dirty-bitmap.ts: bytes first, mark after). False on a miss.
   */
  private loggedWrite(gpa: number, size: 1 | 2 | 4, value: number): boolean {
    if (typeof gpa !== 'number') return false;
    const at = gpa - this.lDelta;
    if (!(at >>> 0 === at && at >= this.lLow && at + size <= this.lHigh)) return false;
    if (size === 4) this.lView.setInt32(at, value, true);
    else if (size === 1) this.lBytes[at] = value;
    else this.lView.setUint16(at, value, true);
    markDirtyPage(this.lDirty, at);
    // An unaligned write that crosses into the next page marks that one too.
    if ((at & (PAGE_SIZE - 1)) + size > PAGE_SIZE) markDirtyPage(this.lDirty, at + size - 1);
    return true;
  }

  protected unsynchronizedWriteU64(gpa: number, value: bigint): void {
    if (typeof gpa === 'number' && typeof value === 'bigint' && value >= 0n && value <= U64_MAX) {
      const at = gpa - this.wDelta;
      if (at >>> 0 === at && at >= this.wLow && at + 8 <= this.wHigh) {
        this.wView.setBigUint64(at, value, true);
        return;
      }
    }
    checkU64(value);
    this.scratchView.setBigUint64(0, value, true);
    this.writeBytes(gpa, this.scratchBySize[8]!);
  }

  /** Fills `out` with what the adopted table says about `gpa`; false when unmapped. */
  protected unsynchronizedTranslate(gpa: number, out: TranslationTarget): boolean {
    checkAccess(gpa, 1);
    out.generation = this.adoptedGeneration;
    const row = this.findRow(gpa);
    if (row < 0) {
      this.checkTableAge(gpa);
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
    this.checkTableAge(gpa);
    return true;
  }

  // ---- slow paths ----

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
      this.checkTableAge(gpa);
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
    if (!(dst instanceof Uint8Array))
      throw AddressSpaceError.invalidArgument('dst must be a Uint8Array');
    const len = dst.length;
    checkAccess(gpa, len);
    const row = this.rowOrThrow(gpa);
    const flags = this.tTypeFlags[row]!;
    if (!isReadableMemory(flags)) {
      this.exitOrRefuse(row, gpa, dst, false);
      return;
    }
    const last = this.spanLastRow(row, gpa, len, false);
    if (this.stallMs !== 0) this.stallInsideAccess();
    let done = 0;
    for (let r = row; ; r = this.nextRow(r)) {
      const delta = this.cacheRow(r, false);
      const from = r === row ? gpa : this.tStart[r]!;
      const n = Math.min(this.tEnd[r]! - from, len - done);
      copyBytes(this.rBytes, from - delta, dst, done, n);
      done += n;
      if (r === last) break;
    }
    this.checkTableAge(gpa);
  }

  /** Writes `src` at `gpa`: an ioeventfd, memory (checked whole first) or one MMIO exit. */
  protected writeBytes(gpa: number, src: Uint8Array): void {
    if (!(src instanceof Uint8Array))
      throw AddressSpaceError.invalidArgument('src must be a Uint8Array');
    const len = src.length;
    checkAccess(gpa, len);
    const row = this.rowOrThrow(gpa);
    const flags = this.tTypeFlags[row]!;
    // Doorbells are matched here only when the hypervisor handles them (hyp_ioevtfd_enabled);
    // otherwise a write to a device exits and the owner matches it (SPEC 5).
    if ((flags & kFlagIoeventfd) !== 0 && this.hypIoeventfd) {
      const fdId = matchIoeventfd(this.table!, gpa, src);
      this.checkTableAge(gpa);
      if (fdId !== 0) {
        this.directory.eventFd(fdId).signal();
        this.signalCount++;
        return;
      }
    }
    const type = flags & kTypeMask;
    if (!isWritableMemory(flags)) {
      if (type === TableRegionType.Ram || type === TableRegionType.RamDevice) {
        this.checkTableAge(gpa);
        throw AddressSpaceError.regionType('write to read-only memory');
      }
      this.exitOrRefuse(row, gpa, src, true);
      return;
    }
    const last = this.spanLastRow(row, gpa, len, true);
    let done = 0;
    let doorbells = false;
    for (let r = row; ; r = this.nextRow(r)) {
      const delta = this.cacheRow(r, true);
      const from = r === row ? gpa : this.tStart[r]!;
      const n = Math.min(this.tEnd[r]! - from, len - done);
      copyBytes(src, done, this.wBytes, from - delta, n);
      if (this.logDirty)
        markDirtyPages(this.directory.mappingDirty[this.tMappingId[r]!]!, from - delta, n);
      done += n;
      if ((this.tTypeFlags[r]! & kFlagIoeventfd) !== 0) doorbells = true;
      if (r === last) break;
    }
    this.checkTableAge(gpa);
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
      const next = this.nextRow(r);
      if (next < 0 || this.tStart[next]! !== this.tEnd[r]!) {
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
    // The exit is the table's last use (a strategy may release its protection for it).
    this.checkTableAge(gpa);
    let ok: boolean;
    this.exitCount++;
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

/** Throws the typed error `AddressSpace` gives for a value that does not fit `size` bytes. */
function refuseValue(value: unknown, size: 1 | 2 | 4): never {
  checkUnsigned(value, size);
  throw AddressSpaceError.invalidArgument(`value must fit ${size} bytes`);
}
