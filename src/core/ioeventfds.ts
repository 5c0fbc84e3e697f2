/**
 * The flattened ioeventfd list of a view (SPEC 5): every ioeventfd of a leaf, moved to
 * address-space coordinates, kept where it meets a visible piece of its region (a
 * size-0 ioeventfd meets a piece that holds its address), once per region placement,
 * sorted by (base, size, dataMatch, data, fd, owner). StratoVirt pushes one copy per
 * piece; duplicates are dropped here, since a hypervisor refuses the same ioeventfd twice.
 *
 * An entry exists iff some piece with the same owner and the same region base
 * (`base - offsetInRegion`) meets it, so after a windowed re-render only the placements
 * seen in the windows need checking. This module never renders ranges and never talks to
 * listeners.
 */
import type { FlatIoEventFd, FlatRange } from './flat-view.js';
import type { RangeStore } from './range-store.js';
import type { Region } from './region.js';
import type { RegionIoEventFd } from './types.js';

/** Total order of the flattened list. */
export function compareFlatIoEventFd(a: FlatIoEventFd, b: FlatIoEventFd): number {
  return (
    a.addrRange.base - b.addrRange.base ||
    a.addrRange.size - b.addrRange.size ||
    Number(a.dataMatch) - Number(b.dataMatch) ||
    (a.data < b.data ? -1 : a.data > b.data ? 1 : 0) ||
    a.fd.id - b.fd.id ||
    a.owner.id - b.owner.id ||
    a.regionBase - b.regionBase
  );
}

/** Flattens the ioeventfds of every piece of `ranges`. */
export function flattenIoeventfds(ranges: RangeStore): FlatIoEventFd[] {
  const placements = new Map<string, Placement>();
  for (const p of ranges.toArray()) {
    if (p.owner.ioeventfdList.length > 0) addPlacement(placements, p);
  }
  const out: FlatIoEventFd[] = [];
  for (const pl of placements.values()) derive(pl, ranges, out);
  return sortUnique(out);
}

/**
 * The new flattened list after the pieces `oldPieces` (in the re-rendered windows) were
 * replaced by `newPieces`, or `undefined` when it cannot have changed.
 */
export function updateIoeventfds(
  oldList: readonly FlatIoEventFd[],
  oldPieces: readonly FlatRange[],
  newPieces: readonly FlatRange[],
  newRanges: RangeStore,
): FlatIoEventFd[] | undefined {
  const ownersInOld = new Set<Region>();
  for (const e of oldList) ownersInOld.add(e.owner);
  const placements = new Map<string, Placement>();
  for (const p of oldPieces) {
    if (ownersInOld.has(p.owner) || p.owner.ioeventfdList.length > 0) addPlacement(placements, p);
  }
  for (const p of newPieces) {
    if (ownersInOld.has(p.owner) || p.owner.ioeventfdList.length > 0) addPlacement(placements, p);
  }
  if (placements.size === 0) return undefined;
  const out = oldList.filter((e) => !placements.has(placementKey(e.owner, e.regionBase)));
  for (const pl of placements.values()) derive(pl, newRanges, out);
  return sortUnique(out);
}

export function sameIoeventfdLists(
  a: readonly FlatIoEventFd[],
  b: readonly FlatIoEventFd[],
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (compareFlatIoEventFd(a[i]!, b[i]!) !== 0) return false;
  return true;
}

function sortUnique(list: FlatIoEventFd[]): FlatIoEventFd[] {
  list.sort(compareFlatIoEventFd);
  let n = 0;
  for (const e of list) if (n === 0 || compareFlatIoEventFd(list[n - 1]!, e) !== 0) list[n++] = e;
  list.length = n;
  return list;
}

/** One region placed at one base: the unit an ioeventfd entry belongs to. */
interface Placement {
  owner: Region;
  regionBase: number;
}

function placementKey(owner: Region, regionBase: number): string {
  return `${owner.id}@${regionBase}`;
}

function addPlacement(placements: Map<string, Placement>, p: FlatRange): void {
  const regionBase = p.addrRange.base - p.offsetInRegion;
  const key = placementKey(p.owner, regionBase);
  if (!placements.has(key)) placements.set(key, { owner: p.owner, regionBase });
}

/** Appends the entries of placement `pl` that meet one of its pieces in `ranges`. */
function derive(pl: Placement, ranges: RangeStore, out: FlatIoEventFd[]): void {
  for (const e of pl.owner.ioeventfdList) {
    const base = pl.regionBase + e.addrRange.base;
    if (meetsPieceOf(ranges, pl, base, e.addrRange.size)) out.push(flatEntry(e, pl, base));
  }
}

function meetsPieceOf(ranges: RangeStore, pl: Placement, base: number, size: number): boolean {
  const end = base + (size === 0 ? 1 : size);
  for (let i = Math.max(ranges.lowerBound(base + 1) - 1, 0); i < ranges.length; i++) {
    const p = ranges.at(i)!;
    if (p.addrRange.base >= end) return false;
    if (
      p.owner === pl.owner &&
      p.addrRange.base - p.offsetInRegion === pl.regionBase &&
      p.addrRange.base + p.addrRange.size > base
    ) {
      return true;
    }
  }
  return false;
}

function flatEntry(e: RegionIoEventFd, pl: Placement, base: number): FlatIoEventFd {
  return Object.freeze({
    addrRange: Object.freeze({ base, size: e.addrRange.size }),
    dataMatch: e.dataMatch,
    data: e.data,
    fd: e.fd,
    owner: pl.owner,
    regionBase: pl.regionBase,
  });
}
