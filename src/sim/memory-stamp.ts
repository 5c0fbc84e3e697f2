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

/**
 * Stamps the RAM behind the aliases the `alias` kind switches (PAM windows start off, so
 * the flat view does not show that RAM at the start): the words of the target's mapping
 * the alias window covers, for the target's (leaf) region id. Returns bytes stamped.
 */
export function stampAliasTargets(machine: Machine): number {
  let stamped = 0;
  for (const alias of machine.targets.toggleableAliases) {
    const target = alias.aliasTarget;
    if (target === undefined) continue;
    const end = alias.aliasOffset + alias.size;
    for (let at = alias.aliasOffset; at < end; ) {
      const leaf = leafAt(target, at);
      if (leaf === undefined) break;
      const to = Math.min(end, at + leaf.room);
      if (isStampable(leaf.region)) {
        const mapping = leaf.region.mapping!;
        const lo = Math.ceil(leaf.offset / 8) * 8;
        const hi = Math.min(
          Math.floor(mapping.size / 8) * 8,
          Math.floor((leaf.offset + (to - at)) / 8) * 8,
        );
        if (hi > lo) {
          stampWords(mapping.bytes, lo, hi, leaf.region.id);
          stamped += hi - lo;
        }
      }
      at = to;
    }
  }
  return stamped;
}

/**
 * The leaf that byte `offset` of `region` shows (through containers, in render order, and
 * aliases), its offset in that leaf, and how many bytes from there stay in it; `undefined`
 * when nothing is there.
 */
function leafAt(
  region: Region,
  offset: number,
): { region: Region; offset: number; room: number } | undefined {
  let r = region;
  let off = offset;
  let room = region.size - offset;
  for (let depth = 0; depth < 64; depth++) {
    if (r.regionType === 'Alias') {
      off += r.aliasOffset;
      r = r.aliasTarget!;
      continue;
    }
    if (r.regionType !== 'Container') return { region: r, offset: off, room };
    const child = r
      .subregions()
      .find((c) => c.enabled && off >= c.offset && off < c.offset + c.size);
    if (child === undefined) return undefined;
    room = Math.min(room, child.offset + child.size - off);
    off -= child.offset;
    r = child;
  }
  return undefined;
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
