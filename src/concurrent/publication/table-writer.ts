/**
 * Validates a flat view for publication and serialises its ranges into arena rows
 * (layout.ts) on the owner thread: one validating function, so that a table that reaches
 * readers is sorted, non-overlapping and names only buffers the directory has already
 * broadcast. chunked-writer.ts builds the table around the rows.
 *
 * It writes into chunks that no reader can see (fresh or reclaimed ones); it never
 * publishes. It takes the core's `FlatView` and nothing else: tests that want views of
 * their own build `FlatView`s (test/concurrent/publication/helpers.ts).
 */
import { AddressSpaceError, hex } from '../../base/errors.js';
import { upperBound } from '../../base/search.js';
import type { FlatRange, FlatView } from '../../core/flat-view.js';
import { kFlagReadOnly, kFlagRomd } from '../reader/layout.js';
import { TableRegionType } from '../reader/reader-api.js';
import type { ArenaColumns } from '../reader/table-columns.js';
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
 * Writes `range` into arena row `row` of `arena` (a row of a chunk no published table
 * names yet), registering its mapping in `directory` (broadcast before any publish). The
 * doorbell mark (`kFlagIoeventfd`) is left clear: the table writer sets it.
 */
export function writeRow(
  arena: ArenaColumns,
  i: number,
  range: FlatRange,
  directory: OwnerDirectory,
): void {
  const owner = range.owner;
  const type = TYPE_CODES[owner.regionType]!;
  let flags: number = type;
  arena.start[i] = range.addrRange.base;
  arena.end[i] = range.addrRange.base + range.addrRange.size;
  arena.offsetInRegion[i] = range.offsetInRegion;
  arena.regionId[i] = owner.id;
  if (isMemoryBacked(type)) {
    const mapping = owner.mapping!;
    arena.mappingId[i] = directory.mappingId(mapping);
    arena.hostBase[i] = mapping.hostAddress + range.offsetInRegion;
    if (mapping.readOnly) flags |= kFlagReadOnly;
  } else {
    arena.mappingId[i] = 0;
    arena.hostBase[i] = 0;
  }
  if (type === TableRegionType.RomDevice) {
    const romd = range.romd ?? owner.getRomDeviceRomd() ?? true;
    if (romd) flags |= kFlagRomd;
  }
  arena.typeFlags[i] = flags;
}
