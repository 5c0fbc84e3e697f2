/**
 * Host-address windows: each mapping owns one 4 GiB window of the host address space,
 * so `hostAddress = index * HOST_WINDOW + offset`. Shared by the owner's mappings and
 * every thread's `HostMemory`.
 */

export const HOST_WINDOW_SHIFT = 32;
export const HOST_WINDOW = 2 ** HOST_WINDOW_SHIFT;
/** The largest mapping: one typed-array view cannot exceed 4 GiB. */
export const MAX_MAPPING_SIZE = HOST_WINDOW;

/** What a reader thread needs to resolve a mapping's host addresses. Structured-cloneable. */
export interface SharedMappingDescriptor {
  readonly index: number;
  readonly size: number;
  readonly name: string;
  readonly readOnly: boolean;
  readonly buffer: SharedArrayBuffer;
}

export function windowIndex(hostAddress: number): number {
  return Math.floor(hostAddress / HOST_WINDOW);
}

export function windowOffset(hostAddress: number): number {
  return hostAddress % HOST_WINDOW;
}
