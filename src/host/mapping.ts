/**
 * Host memory mappings: the blocks of host memory that back RAM, RAM-device and
 * ROM-device regions (SPEC 2).
 *
 * A mapping's bytes live in one SharedArrayBuffer of at most 4 GiB, committed lazily by
 * the OS. Its `hostAddress` is `index * 2**32`, where `index` is unique among live
 * mappings of this process, so `hostAddress + k` names byte `k`. Only the owner thread
 * creates and releases mappings; other threads resolve host addresses through
 * `HostMemory` once they were handed the buffers. This module never decides when a
 * mapping may be released: that is the grace-period machinery's job.
 */
import { checkSize } from '../base/address.js';
import { AddressSpaceError } from '../base/errors.js';
import { dirtyBitmapBytes, markDirtyPages } from './dirty-bitmap.js';
import { hostMemory } from './host-memory.js';
import {
  HOST_WINDOW,
  HOST_WINDOW_SHIFT,
  MAX_MAPPING_SIZE,
  type SharedMappingDescriptor,
} from './window.js';

/** Window 0 is never used, so host address 0 is never valid. */
const FIRST_INDEX = 1;
/** 2**53 / 2**32 windows fit below the address limit. */
const INDEX_LIMIT = 2 ** (53 - HOST_WINDOW_SHIFT);

export interface HostMemMappingOptions {
  size: number;
  name?: string;
  readOnly?: boolean;
}

const liveIndices = new Set<number>();
let nextIndex = FIRST_INDEX;

function allocateIndex(): number {
  for (let tries = 0; tries < INDEX_LIMIT; tries++) {
    const index = nextIndex;
    nextIndex = nextIndex + 1 >= INDEX_LIMIT ? FIRST_INDEX : nextIndex + 1;
    if (!liveIndices.has(index)) {
      liveIndices.add(index);
      return index;
    }
  }
  throw new AddressSpaceError('Overflow', 'Address overflows: no free host-address window left');
}

export class HostMemMapping {
  readonly index: number;
  readonly hostAddress: number;
  readonly size: number;
  readonly name: string;
  readonly readOnly: boolean;
  readonly buffer: SharedArrayBuffer;
  /** All bytes of the mapping. */
  readonly bytes: Uint8Array;
  /**
   * The dirty-page bitmap (host/dirty-bitmap.ts): one bit per 4 KiB page, in shared
   * memory, so reader threads mark their writes too (SPEC 10).
   */
  readonly dirtyBuffer: SharedArrayBuffer;
  readonly dirtyBitmap: Int32Array;
  private released = false;
  /** Address spaces logging this mapping's writes (owner thread only). */
  private loggers = 0;

  private constructor(index: number, buffer: SharedArrayBuffer, name: string, readOnly: boolean) {
    this.index = index;
    this.hostAddress = index * HOST_WINDOW;
    this.size = buffer.byteLength;
    this.name = name;
    this.readOnly = readOnly;
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.dirtyBuffer = new SharedArrayBuffer(dirtyBitmapBytes(this.size));
    this.dirtyBitmap = new Int32Array(this.dirtyBuffer);
  }

  /** Creates a zero-filled, lazily committed mapping of `size` bytes (1 to 4 GiB). */
  static create(options: HostMemMappingOptions): HostMemMapping {
    if (typeof options !== 'object' || options === null) {
      throw AddressSpaceError.invalidArgument('HostMemMapping.create needs an options object');
    }
    const size = checkSize(options.size, 'mapping size');
    if (size === 0 || size > MAX_MAPPING_SIZE) {
      throw AddressSpaceError.invalidArgument(
        `mapping size must be between 1 and 4 GiB, got ${size}`,
      );
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw AddressSpaceError.invalidArgument('mapping name must be a string');
    }
    if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
      throw AddressSpaceError.invalidArgument('mapping readOnly must be a boolean');
    }
    const index = allocateIndex();
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer(size);
    } catch (cause) {
      liveIndices.delete(index);
      throw new AddressSpaceError('InvalidArgument', `cannot allocate a mapping of ${size} bytes`, {
        cause,
      });
    }
    const mapping = new HostMemMapping(
      index,
      buffer,
      options.name ?? `mapping${index}`,
      options.readOnly ?? false,
    );
    hostMemory.register(mapping.describe());
    return mapping;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Whether an address space logs dirty pages of this mapping now. */
  get dirtyLogging(): boolean {
    return this.loggers > 0;
  }

  /** An address space started logging this mapping (owner thread; counted). */
  startDirtyLogging(): void {
    this.loggers++;
  }

  /** An address space stopped logging this mapping. */
  stopDirtyLogging(): void {
    if (this.loggers > 0) this.loggers--;
  }

  /**
   * For code that writes the mapping's bytes directly (device models: a flash programming
   * its array): marks `[offset, offset + len)` dirty when dirty logging is on. Call it
   * after the bytes are written. Costs one branch while logging is off.
   */
  markDirty(offset: number, len: number): void {
    if (this.loggers === 0 || len <= 0) return;
    markDirtyPages(this.dirtyBitmap, offset, len);
  }

  /** Host address of byte `offset`, or `undefined` past the end. */
  hostAddressOf(offset: number): number | undefined {
    return offset >= 0 && offset < this.size ? this.hostAddress + offset : undefined;
  }

  describe(): SharedMappingDescriptor {
    return {
      index: this.index,
      size: this.size,
      name: this.name,
      readOnly: this.readOnly,
      buffer: this.buffer,
    };
  }

  /**
   * Gives the host-address window back for reuse. Call only when no reader can still
   * touch the mapping (after its grace period).
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    liveIndices.delete(this.index);
    hostMemory.unregister(this.index);
  }
}
