/**
 * `raw` guest memory: one SharedArrayBuffer addressed directly by guest-physical address
 * minus a base, with no translation, no view and no synchronisation. It is the physical
 * limit the benchmark compares every strategy against (SPEC 9, `"strategy": "raw"` rows),
 * and lets the vCPU layer run the same workloads with nothing published at all.
 *
 * It implements the reader interface (`SharedViewReader`, all of it but the strategy name)
 * so the slice runner does not care which it drives, but it knows no regions: there are no
 * MMIO exits, no ioeventfds, and an address outside the buffer is `RegionNotFound`. For
 * samples, every address in the buffer is region 0 and its "host address" is its offset
 * in the buffer. It never changes size or topology.
 */
import { AddressSpaceError } from '../../base/errors.js';
import {
  type MmioExitHandler,
  type SharedViewReader,
  type Strategy,
  TableRegionType,
} from '../reader/reader-api.js';
import type { TranslationTarget } from '../reader/translation.js';

/** What guest memory a vCPU can run against: a published view's strategy, or `raw`. */
export type GuestMemoryStrategy = Strategy | 'raw';

/** Plain data that describes raw memory to a worker. */
export interface RawMemoryHandle {
  readonly buffer: SharedArrayBuffer;
  /** Guest-physical address of byte 0 of the buffer. */
  readonly base: number;
}

export class RawGuestMemory implements Omit<SharedViewReader, 'strategy'> {
  readonly strategy = 'raw' as const;
  readonly generation = 0;
  /** Raw memory has no ioeventfds and no devices: nothing but memory is ever written. */
  readonly ioeventfdSignals = 0;
  readonly mmioExits = 0;
  readonly base: number;
  readonly size: number;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private stallMs = 0;

  constructor(handle: RawMemoryHandle) {
    if (!(handle?.buffer instanceof SharedArrayBuffer)) {
      throw AddressSpaceError.invalidArgument('raw memory needs a SharedArrayBuffer');
    }
    if (!Number.isSafeInteger(handle.base) || handle.base < 0) {
      throw AddressSpaceError.invalidArgument('raw memory base must be a non-negative integer');
    }
    this.base = handle.base;
    this.size = handle.buffer.byteLength;
    this.view = new DataView(handle.buffer);
    this.bytes = new Uint8Array(handle.buffer);
  }

  /**
   * Translation for samples: every address in the buffer is region 0, type Ram,
   * generation 0, with its offset in the buffer as "host address". False outside.
   */
  translate(gpa: number, out: TranslationTarget): boolean {
    const off = gpa - this.base;
    out.generation = 0;
    if (!(off >= 0 && off < this.size)) {
      out.regionId = -1;
      out.regionType = 0;
      out.hostAddress = -1;
      return false;
    }
    out.regionId = 0;
    out.regionType = TableRegionType.Ram;
    out.hostAddress = off;
    out.offsetInRegion = off;
    out.start = this.base;
    out.end = this.base + this.size;
    return true;
  }

  online(): void {}
  offline(): void {}
  quiescent(): void {}
  setMmioHandler(_handler: MmioExitHandler | undefined): void {}
  /** Attaching took nothing to release. */
  close(): void {}
  /** The next `read` stops for `ms` before copying (raw memory holds nothing meanwhile). */
  stallNextRead(ms: number): void {
    this.stallMs = ms;
  }

  /** Offset of `gpa` in the buffer after checking that `len` bytes fit. */
  private at(gpa: number, len: number): number {
    const off = gpa - this.base;
    if (!(off >= 0 && off + len <= this.size)) throw AddressSpaceError.regionNotFound(gpa);
    return off;
  }

  readU8(gpa: number): number {
    return this.view.getUint8(this.at(gpa, 1));
  }
  readU16(gpa: number): number {
    return this.view.getUint16(this.at(gpa, 2), true);
  }
  readU32(gpa: number): number {
    return this.view.getUint32(this.at(gpa, 4), true);
  }
  readU64(gpa: number): bigint {
    return this.view.getBigUint64(this.at(gpa, 8), true);
  }
  writeU8(gpa: number, value: number): void {
    this.view.setUint8(this.at(gpa, 1), value);
  }
  writeU16(gpa: number, value: number): void {
    this.view.setUint16(this.at(gpa, 2), value, true);
  }
  writeU32(gpa: number, value: number): void {
    this.view.setUint32(this.at(gpa, 4), value, true);
  }
  writeU64(gpa: number, value: bigint): void {
    this.view.setBigUint64(this.at(gpa, 8), value, true);
  }
  read(gpa: number, dst: Uint8Array): void {
    const off = this.at(gpa, dst.length);
    if (this.stallMs !== 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.stallMs);
      this.stallMs = 0;
    }
    dst.set(this.bytes.subarray(off, off + dst.length));
  }
  write(gpa: number, src: Uint8Array): void {
    this.bytes.set(src, this.at(gpa, src.length));
  }
}
