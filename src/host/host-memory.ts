/**
 * `HostMemory`: turns a host address back into bytes, in any thread that holds the
 * mappings' shared buffers (SPEC 2).
 *
 * Each thread has one registry (`hostMemory`). The owner's fills itself as mappings are
 * created; a reader thread's is filled by the concurrent layer from the descriptors it is
 * handed. Lookups are by window index, an array access: no allocation on the access path.
 * This module never creates or frees memory.
 */
import { AddressSpaceError, hex } from '../base/errors.js';
import { HOST_WINDOW, type SharedMappingDescriptor } from './window.js';

/**
 * A thread's registry of mappings by host address: `bytes(hostAddress, len)`
 * turns a host address back into bytes, `register(descriptor)` adds a mapping shared from
 * another thread. `hostMemory` is this thread's one instance. Throws `AddressSpaceError`
 * for an address no registered mapping holds.
 */
export class HostMemory {
  private readonly windows: (Uint8Array | undefined)[] = [];
  private readonly dataViews: (DataView | undefined)[] = [];

  register(d: SharedMappingDescriptor): void {
    if (this.windows[d.index] !== undefined && this.windows[d.index]!.buffer === d.buffer) return;
    this.windows[d.index] = new Uint8Array(d.buffer);
    this.dataViews[d.index] = new DataView(d.buffer);
  }

  unregister(index: number): void {
    this.windows[index] = undefined;
    this.dataViews[index] = undefined;
  }

  has(index: number): boolean {
    return this.windows[index] !== undefined;
  }

  /** Bytes of the mapping whose window holds `hostAddress`, or `undefined`. */
  windowOf(hostAddress: number): Uint8Array | undefined {
    return this.windows[Math.floor(hostAddress / HOST_WINDOW)];
  }

  /** A DataView over the mapping with window `index` (little-endian accessors). */
  dataView(index: number): DataView | undefined {
    return this.dataViews[index];
  }

  /**
   * `len` bytes at `hostAddress` as a subarray of the mapping (shares memory).
   * Throws `Overflow` when the span leaves the mapping or the window is unknown.
   */
  bytes(hostAddress: number, len: number): Uint8Array {
    const window = this.windowOf(hostAddress);
    const offset = hostAddress % HOST_WINDOW;
    if (window === undefined || offset + len > window.length) {
      throw AddressSpaceError.overflow(hostAddress, `no host memory for ${len} bytes`);
    }
    return window.subarray(offset, offset + len);
  }

  describeMissing(hostAddress: number): string {
    return `host address ${hex(hostAddress)} is not mapped in this thread`;
  }
}

/** This thread's registry. */
export const hostMemory = new HostMemory();
