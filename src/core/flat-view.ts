/**
 * `FlatView`: the immutable result of rendering a region tree (SPEC 4) — sorted,
 * non-overlapping `FlatRange`s plus the flattened ioeventfd list, tagged with a
 * generation. Lookup is a binary search.
 *
 * A FlatView is frozen and never changes; a topology change builds a new one that shares
 * the unchanged chunks of its ranges (`RangeStore`) with the previous view, so `ranges`
 * (one plain array) is built on first use; `rangeCount`, `rangeAt` and `findIndex` work
 * without it. This module never renders and never changes the region tree (see
 * `render.ts`, `view-update.ts`).
 */

import type { AddressRange } from '../base/address.js';
import { AddressSpaceError, hex } from '../base/errors.js';
import type { EventFd } from '../host/event-fd.js';
import { RangeStore } from './range-store.js';
import type { Region } from './region.js';

/**
 * One range of a flat view: `addrRange` (guest-physical, bytes), the `Region` that owns
 * it, the offset of the range's start inside that region, and the region's priority.
 */
export interface FlatRange {
  readonly addrRange: AddressRange;
  /** The leaf region that owns these bytes (through aliases: the target's leaf). */
  readonly owner: Region;
  readonly offsetInRegion: number;
  /** RomDevice pieces only: the romd mode at render time. */
  readonly romd?: boolean;
}

/** An ioeventfd in address-space coordinates. */
export interface FlatIoEventFd {
  /** Absolute guest-physical range (the region's ioeventfd range moved, not clipped). */
  readonly addrRange: AddressRange;
  readonly dataMatch: boolean;
  readonly data: bigint;
  readonly fd: EventFd;
  readonly owner: Region;
  /** Guest address of the owner's byte 0 in the visible piece it came from. */
  readonly regionBase: number;
}

/**
 * The flat view of an address space: its region tree painted into sorted,
 * non-overlapping `FlatRange`s (higher priority wins, later siblings win ties), with the
 * flattened ioeventfds and a `generation` that grows by one per published change.
 * Immutable once built; `findFlatRange(gpa)` is a binary search.
 */
export class FlatView {
  readonly generation: number;
  readonly ioeventfds: readonly FlatIoEventFd[];
  /** Internal (core only): the ranges, chunked and shared with neighbouring views. */
  readonly store: RangeStore;

  /**
   * Trusted constructor for the renderer, which builds sorted, disjoint ranges. Use
   * `FlatView.fromRanges` for anything built by hand: it validates.
   */
  constructor(
    ranges: RangeStore | readonly FlatRange[],
    ioeventfds: readonly FlatIoEventFd[],
    generation: number,
  ) {
    this.store =
      ranges instanceof RangeStore ? ranges : RangeStore.fromArray(Object.freeze(ranges));
    this.ioeventfds = Object.isFrozen(ioeventfds) ? ioeventfds : Object.freeze(ioeventfds);
    this.generation = generation;
    Object.freeze(this);
  }

  static readonly EMPTY = new FlatView(RangeStore.EMPTY, [], 0);

  /** Builds a view from ranges of any origin: rejects unsorted, overlapping or empty ones. */
  static fromRanges(
    ranges: readonly FlatRange[],
    ioeventfds: readonly FlatIoEventFd[] = [],
    generation = 0,
  ): FlatView {
    let end = 0;
    for (const r of ranges) {
      if (r.addrRange.size <= 0 || r.addrRange.base < end) {
        throw AddressSpaceError.invalidArgument(
          `flat ranges must be sorted, non-empty and disjoint (at ${hex(r.addrRange.base)})`,
        );
      }
      end = r.addrRange.base + r.addrRange.size;
    }
    return new FlatView(ranges.slice(), ioeventfds.slice(), generation);
  }

  /**
   * All ranges, sorted by address, as one frozen array. Built on first use per view
   * (O(n)); `rangeCount`/`rangeAt`/`findIndex` do not need it.
   */
  get ranges(): readonly FlatRange[] {
    return this.store.toArray();
  }

  get rangeCount(): number {
    return this.store.length;
  }

  /** The `i`-th range in address order, or `undefined`. O(log n). */
  rangeAt(i: number): FlatRange | undefined {
    return this.store.at(i);
  }

  /** Index of the range holding `addr`, or -1. O(log n). */
  findIndex(addr: number): number {
    const i = this.store.lowerBound(addr + 1) - 1;
    if (i < 0) return -1;
    const r = this.store.at(i)!.addrRange;
    return addr - r.base < r.size ? i : -1;
  }

  /** The range holding `addr`, or `undefined`. O(log n). */
  findFlatRange(addr: number): FlatRange | undefined {
    const i = this.findIndex(addr);
    return i < 0 ? undefined : this.store.at(i);
  }
}

/** Same range, owner, offset, type and romd: a listener needs nothing for it. */
export function sameFlatRange(a: FlatRange, b: FlatRange): boolean {
  return (
    a.addrRange.base === b.addrRange.base &&
    a.addrRange.size === b.addrRange.size &&
    a.owner === b.owner &&
    a.offsetInRegion === b.offsetInRegion &&
    a.romd === b.romd
  );
}
