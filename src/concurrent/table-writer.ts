/**
 * Serialises a flat view into a view table (layout.ts) on the owner thread: one
 * validating function, so that a table that reaches readers is sorted, non-overlapping
 * and names only buffers the directory has already broadcast.
 *
 * It writes into a table that no reader can see (a fresh or reclaimed one); it never
 * publishes. The view shapes below are structural, so the core's `FlatView` fits them and
 * tests can hand plain objects.
 */
import { AddressSpaceError, hex } from '../core/errors.js';
import type { EventFd } from '../host/event-fd.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { OwnerDirectory } from './directory.js';
import {
  kFlagIoeventfd,
  kFlagReadOnly,
  kFlagRomd,
  kIoDataMatch,
  kTableEpoch,
  kTableGeneration,
  kTableIoCount,
  kTableRangeCount,
  type TableColumns,
} from './layout.js';
import { TableRegionType } from './reader-api.js';

export interface PublishedRegion {
  readonly id: number;
  readonly regionType: string;
  readonly name: string;
  readonly mapping?: HostMemMapping | undefined;
  getRomDeviceRomd?(): boolean | undefined;
}

export interface PublishedRange {
  readonly addrRange: { readonly base: number; readonly size: number };
  readonly owner: PublishedRegion;
  readonly offsetInRegion: number;
  readonly romd?: boolean | undefined;
}

export interface PublishedIoEventFd {
  readonly addrRange: { readonly base: number; readonly size: number };
  readonly dataMatch: boolean;
  readonly data: bigint;
  readonly fd: EventFd;
}

/** What the publisher needs of a `FlatView`. */
export interface PublishedView {
  readonly ranges: readonly PublishedRange[];
  readonly generation: number;
  readonly ioeventfds: readonly PublishedIoEventFd[];
}

const TYPE_CODES: Readonly<Record<string, TableRegionType>> = {
  Ram: TableRegionType.Ram,
  IO: TableRegionType.IO,
  RomDevice: TableRegionType.RomDevice,
  RamDevice: TableRegionType.RamDevice,
};

/** Whether ranges of this type are backed by a host mapping. */
export function isMemoryBacked(type: TableRegionType): boolean {
  return type !== TableRegionType.IO;
}

function invalid(detail: string): AddressSpaceError {
  return new AddressSpaceError('UpdateTopology', `Cannot publish flat view: ${detail}`);
}

/** Throws `UpdateTopology` unless the view can be published as a table. Changes nothing. */
export function validateView(view: PublishedView): void {
  let previousEnd = 0;
  for (const range of view.ranges) {
    const { base, size } = range.addrRange;
    const code = TYPE_CODES[range.owner.regionType];
    if (code === undefined) {
      throw invalid(`range at ${hex(base)} has type ${range.owner.regionType}`);
    }
    if (!(size > 0) || base < previousEnd) {
      throw invalid(`ranges are not sorted and disjoint at ${hex(base)}`);
    }
    if (isMemoryBacked(code)) {
      const mapping = range.owner.mapping;
      if (mapping === undefined || range.offsetInRegion + size > mapping.size) {
        throw invalid(`range at ${hex(base)} is not backed by its region's mapping`);
      }
    }
    previousEnd = base + size;
  }
  let previousBase = 0;
  for (const io of view.ioeventfds) {
    if (io.addrRange.base < previousBase) throw invalid('ioeventfds are not sorted');
    previousBase = io.addrRange.base;
  }
}

/** Index of the range holding `addr` among the first `count` rows, or -1. */
export function findRow(start: Float64Array, end: Float64Array, count: number, addr: number) {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (addr < start[mid]!) hi = mid - 1;
    else if (addr >= end[mid]!) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Writes `view` into `table` under `epoch`. The table must be invisible to readers and
 * large enough (the publisher picks it). Registers mappings and EventFds in `directory`
 * (broadcasting new ones) before anything can reference them.
 */
export function writeTable(
  view: PublishedView,
  table: TableColumns,
  epoch: number,
  directory: OwnerDirectory,
): void {
  const n = view.ranges.length;
  for (let i = 0; i < n; i++) {
    const range = view.ranges[i]!;
    const owner = range.owner;
    const type = TYPE_CODES[owner.regionType]!;
    let flags: number = type;
    table.start[i] = range.addrRange.base;
    table.end[i] = range.addrRange.base + range.addrRange.size;
    table.offsetInRegion[i] = range.offsetInRegion;
    table.regionId[i] = owner.id;
    if (isMemoryBacked(type)) {
      const mapping = owner.mapping!;
      table.mappingId[i] = directory.mappingId(mapping);
      table.hostBase[i] = mapping.hostAddress + range.offsetInRegion;
      if (mapping.readOnly) flags |= kFlagReadOnly;
    } else {
      table.mappingId[i] = 0;
      table.hostBase[i] = 0;
    }
    if (type === TableRegionType.RomDevice) {
      const romd = range.romd ?? owner.getRomDeviceRomd?.() ?? true;
      if (romd) flags |= kFlagRomd;
    }
    table.typeFlags[i] = flags;
  }
  const m = view.ioeventfds.length;
  for (let k = 0; k < m; k++) {
    const io = view.ioeventfds[k]!;
    table.ioBase[k] = io.addrRange.base;
    table.ioSize[k] = io.addrRange.size;
    table.ioDataLo[k] = Number(io.data & 0xffffffffn) | 0;
    table.ioDataHi[k] = Number((io.data >> 32n) & 0xffffffffn) | 0;
    table.ioFlags[k] = io.dataMatch ? kIoDataMatch : 0;
    table.ioFdId[k] = directory.eventFdId(io.fd);
    // Mark every range the doorbell touches, so writes there leave the fast path.
    const last = io.addrRange.base + Math.max(io.addrRange.size, 1);
    for (let addr = io.addrRange.base; addr < last; ) {
      const row = findRow(table.start, table.end, n, addr);
      if (row < 0) break;
      table.typeFlags[row] = table.typeFlags[row]! | kFlagIoeventfd;
      addr = table.end[row]!;
    }
  }
  table.header[kTableRangeCount] = n;
  table.header[kTableIoCount] = m;
  table.header[kTableGeneration] = view.generation;
  table.header[kTableEpoch] = epoch;
}
