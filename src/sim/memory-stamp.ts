/**
 * The owner's side of self-checking guest memory (`--verify all`, SPEC 11): stamping the
 * RAM the vCPUs will touch with the tags of concurrent/reader/memory-tags.ts.
 *
 * - At the start of a run, every word of the workload's RAM ranges, through the current
 *   flat view: each piece is stamped in its leaf region's mapping with that region's id
 *   (memory seen through aliases is stamped once, for the leaf).
 * - Each hotplug block as it is plugged, before it is published (`HotplugArea.onPlug`):
 *   a reused block gets the new region's tags over whatever the last one left (poison
 *   included), so a reader still holding the old block's translation finds words of
 *   another region instead of zeros that prove nothing.
 *
 * Owner thread only, before readers can see the memory. Read-only mappings, IO and ROM
 * devices are left alone (not RAM a vCPU writes). This module never checks anything.
 */
import type { AddressRange } from '../base/address.js';
import { stampWords } from '../concurrent/reader/memory-tags.js';
import type { Region } from '../core/region.js';
import type { Machine } from '../machine/machine.js';

/** Stamps the words of `ranges` (guest ranges of `machine`'s memory space). Returns bytes stamped. */
export function stampRanges(machine: Machine, ranges: readonly AddressRange[]): number {
  let stamped = 0;
  for (const flat of machine.memory.flatView.ranges) {
    const owner = flat.owner;
    if (!isStampable(owner)) continue;
    const start = flat.addrRange.base;
    const end = start + flat.addrRange.size;
    for (const r of ranges) {
      const from = Math.max(start, r.base);
      const to = Math.min(end, r.base + r.size);
      if (from >= to) continue;
      const mapping = owner.mapping!;
      // The whole words of the mapping inside the range: a word half outside may hold
      // someone else's bytes (a device's queue area next to the workload's RAM).
      const lo = Math.ceil((flat.offsetInRegion + (from - start)) / 8) * 8;
      const hi = Math.min(
        Math.floor(mapping.size / 8) * 8,
        Math.floor((flat.offsetInRegion + (to - start)) / 8) * 8,
      );
      if (hi > lo) {
        stampWords(mapping.bytes, lo, hi, owner.id);
        stamped += hi - lo;
      }
    }
  }
  return stamped;
}

/** Stamps a whole region's mapping (a hotplug block about to be plugged). */
export function stampRegion(region: Region): void {
  if (!isStampable(region)) return;
  const mapping = region.mapping!;
  stampWords(mapping.bytes, 0, Math.floor(mapping.size / 8) * 8, region.id);
}

function isStampable(region: Region): boolean {
  return (
    (region.regionType === 'Ram' || region.regionType === 'RamDevice') &&
    region.mapping !== undefined &&
    !region.mapping.readOnly
  );
}
