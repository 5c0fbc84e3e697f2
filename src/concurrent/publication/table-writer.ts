/**
 * Serialises a flat view into a view table (layout.ts) on the owner thread: one
 * validating function, so that a table that reaches readers is sorted, non-overlapping
 * and names only buffers the directory has already broadcast.
 *
 * It writes into a table that no reader can see (a fresh or reclaimed one); it never
 * publishes. It takes the core's `FlatView` and nothing else: tests that want views of
 * their own build `FlatView`s (test/concurrent/publication/helpers.ts).
 */
import { AddressSpaceError, hex } from '../../base/errors.js';
import { upperBound } from '../../base/search.js';
import type { FlatRange, FlatView } from '../../core/flat-view.js';
import {
  kFlagIoeventfd,
  kFlagReadOnly,
  kFlagRomd,
  kIoDataMatch,
  kTableEpoch,
  kTableGeneration,
  kTableIndexBaseF64,
  kTableIndexBuckets,
  kTableIndexShift,
  kTableIoCount,
  kTableRangeCount,
  type TableColumns,
} from '../reader/layout.js';
import { TableRegionType } from '../reader/reader-api.js';
import type { OwnerDirectory } from './owner-directory.js';
import type { ViewChange } from './view-diff.js';

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

/**
 * Throws `UpdateTopology` unless the view can be published as a table. Changes nothing.
 * With `change` (whose `previous` view was validated and published), only the changed
 * rows and their neighbours are checked: the rows outside the window are unchanged.
 */
export function validateView(view: FlatView, change?: ViewChange): void {
  const count = view.rangeCount;
  const from = change === undefined ? 0 : Math.max(0, change.start - 1);
  const to = change === undefined ? count : Math.min(count, change.nextEnd + 1);
  let previousEnd = 0;
  for (let i = from; i < to; i++) {
    const range = view.rangeAt(i)!;
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

/**
 * Index of the range holding `addr` among the first `count` rows (sorted by start,
 * disjoint), or -1: the last row starting at or below `addr`, if `addr` is before its end.
 */
export function findRow(
  start: Float64Array,
  end: Float64Array,
  count: number,
  addr: number,
): number {
  const row = upperBound(start, addr, 0, count) - 1;
  return row >= 0 && addr < end[row]! ? row : -1;
}

/**
 * Writes `view` into `table` under `epoch`. The table must be invisible to readers and
 * large enough (the publisher picks it). Registers mappings and EventFds in `directory`
 * (broadcasting new ones) before anything can reference them. With `change` and
 * `previousTable` (the table holding `change.previous`), the rows outside the changed
 * window are copied column by column from `previousTable` and only the window is built
 * from the view.
 */
export function writeTable(
  view: FlatView,
  table: TableColumns,
  epoch: number,
  directory: OwnerDirectory,
  change?: ViewChange,
  previousTable?: TableColumns,
): void {
  const n = view.rangeCount;
  let from = 0;
  let to = n;
  const copy = change !== undefined && previousTable !== undefined;
  if (copy) {
    from = change.start;
    to = change.nextEnd;
    copyRows(previousTable, table, 0, from, 0);
    copyRows(previousTable, table, change.previousEnd, previousTable.rangeCount, to);
  }
  for (let i = from; i < to; i++) writeRow(table, i, view.rangeAt(i)!, directory);
  if (copy) {
    // Copied rows carry the previous view's doorbell marks: clear them, then mark anew.
    for (let k = 0; k < previousTable.ioCount; k++) {
      clearDoorbell(table, n, previousTable.ioBase[k]!, previousTable.ioSize[k]!);
    }
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
    markDoorbell(table, n, io.addrRange.base, io.addrRange.size);
  }
  writePageIndex(table, n);
  table.header[kTableRangeCount] = n;
  table.header[kTableIoCount] = m;
  table.header[kTableGeneration] = view.generation;
  table.header[kTableEpoch] = epoch;
}

/** Rows per page-index bucket the index aims at (layout.ts's `indexCapacity` allows it). */
const ROWS_PER_BUCKET = 8;

/**
 * Builds the page index of the first `n` rows (layout.ts): a power of two of buckets,
 * about one per `ROWS_PER_BUCKET` rows, of a power-of-two size over the span of the rows,
 * each naming the first row that ends above its start. O(n) with the rows written just
 * before.
 */
export function writePageIndex(table: TableColumns, n: number): void {
  const header = table.header;
  if (n === 0) {
    header[kTableIndexBuckets] = 0;
    return;
  }
  const base = table.start[0]!;
  const span = table.end[n - 1]! - base;
  // About one bucket per eight rows: a lookup then searches a handful of rows (one or
  // two cache lines of `start` and `end`), and building the index costs a walk over the
  // rows plus n/8 stores (one bucket per row made the build cost more than the rows' copy).
  let wanted = 1;
  while (wanted * ROWS_PER_BUCKET < n) wanted *= 2;
  let shift = 0;
  let size = 1;
  while (size * wanted < span) {
    size *= 2;
    shift++;
  }
  const buckets = Math.ceil(span / size);
  const index = table.pageIndex;
  const end = table.end;
  let row = 0;
  for (let b = 0; b < buckets; b++) {
    const bucketStart = base + b * size;
    while (row < n && end[row]! <= bucketStart) row++;
    index[b] = row;
  }
  index[buckets] = n;
  table.headerF64[kTableIndexBaseF64] = base;
  header[kTableIndexShift] = shift;
  header[kTableIndexBuckets] = buckets;
}

function writeRow(
  table: TableColumns,
  i: number,
  range: FlatRange,
  directory: OwnerDirectory,
): void {
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
    const romd = range.romd ?? owner.getRomDeviceRomd() ?? true;
    if (romd) flags |= kFlagRomd;
  }
  table.typeFlags[i] = flags;
}

/** Copies range rows `[from, to)` of `source` to rows starting at `at` of `target`. */
function copyRows(
  source: TableColumns,
  target: TableColumns,
  from: number,
  to: number,
  at: number,
): void {
  if (to <= from) return;
  target.start.set(source.start.subarray(from, to), at);
  target.end.set(source.end.subarray(from, to), at);
  target.hostBase.set(source.hostBase.subarray(from, to), at);
  target.offsetInRegion.set(source.offsetInRegion.subarray(from, to), at);
  target.regionId.set(source.regionId.subarray(from, to), at);
  target.mappingId.set(source.mappingId.subarray(from, to), at);
  target.typeFlags.set(source.typeFlags.subarray(from, to), at);
}

/** Marks the rows a doorbell at `[base, base+size)` touches, from `base` up to the first hole. */
function markDoorbell(table: TableColumns, n: number, base: number, size: number): void {
  const last = base + Math.max(size, 1);
  for (let addr = base; addr < last; ) {
    const row = findRow(table.start, table.end, n, addr);
    if (row < 0) break;
    table.typeFlags[row] = table.typeFlags[row]! | kFlagIoeventfd;
    addr = table.end[row]!;
  }
}

/** Clears the doorbell mark of every one of the first `n` rows that meets `[base, base+size)`. */
function clearDoorbell(table: TableColumns, n: number, base: number, size: number): void {
  const last = base + Math.max(size, 1);
  // The first row ending after `base`.
  for (let row = upperBound(table.end, base, 0, n); row < n && table.start[row]! < last; row++) {
    table.typeFlags[row] = table.typeFlags[row]! & ~kFlagIoeventfd;
  }
}
