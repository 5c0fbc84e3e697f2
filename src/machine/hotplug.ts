/**
 * A memory hotplug area: an empty Container of the memory tree cut into equal slots, each
 * of which can take one RAM block (a Ram region over a pooled mapping), like DIMM slots.
 *
 * `plugBlock(slot)` adds a zero-filled block; `unplugBlock(slot)` removes it and returns
 * its mapping, which readers may still be using: the caller hands it back to the pool
 * only after the removal's grace period,
 * `as.callRcu(() => area.pool.release(mapping))` (SPEC 8). Both are single topology
 * changes; a failed change leaves the slot as it was. This module never waits for grace
 * periods and never frees memory itself.
 */
import { AddressSpaceError, hex } from '../base/errors.js';
import { Region } from '../core/region.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { RamBlockPool } from './devices/ram-block-pool.js';

export interface HotplugSlot {
  readonly slot: number;
  readonly gpa: number;
  readonly region: Region;
}

export class HotplugArea {
  readonly container: Region;
  /** Guest physical address of slot 0. */
  readonly base: number;
  readonly blockSize: number;
  readonly slotCount: number;
  readonly pool: RamBlockPool;
  private readonly blocks: (Region | undefined)[];
  /**
   * Called with each new block's region after its mapping was acquired and before it is
   * added (so before any reader can see it): self-checking memory stamps it here.
   */
  onPlug: ((region: Region) => void) | undefined;

  constructor(container: Region, base: number, pool: RamBlockPool) {
    if (container.regionType !== 'Container' || container.size % pool.blockSize !== 0) {
      throw AddressSpaceError.invalidArgument(
        `hotplug area ${container.name} must be a Container whose size is a multiple of ${hex(pool.blockSize)}`,
      );
    }
    this.container = container;
    this.base = base;
    this.blockSize = pool.blockSize;
    this.slotCount = container.size / pool.blockSize;
    this.pool = pool;
    this.blocks = new Array<Region | undefined>(this.slotCount).fill(undefined);
  }

  /** Guest physical address of a slot. */
  gpaOf(slot: number): number {
    this.checkSlot(slot);
    return this.base + slot * this.blockSize;
  }

  isPlugged(slot: number): boolean {
    this.checkSlot(slot);
    return this.blocks[slot] !== undefined;
  }

  /** The plugged slots, in slot order. */
  plugged(): HotplugSlot[] {
    const out: HotplugSlot[] = [];
    this.blocks.forEach((region, slot) => {
      if (region !== undefined) out.push({ slot, gpa: this.base + slot * this.blockSize, region });
    });
    return out;
  }

  /** Plugs a zero-filled block into a free slot. `RegionInUse` if the slot is taken. */
  plugBlock(slot: number): Region {
    this.checkSlot(slot);
    if (this.blocks[slot] !== undefined) {
      throw new AddressSpaceError('RegionInUse', `hotplug slot ${slot} already holds a block`);
    }
    const mapping = this.pool.acquire();
    const region = Region.initRamRegion(mapping, `${this.container.name}.slot${slot}`);
    try {
      this.onPlug?.(region);
      this.container.addSubregion(region, slot * this.blockSize);
    } catch (error) {
      this.pool.release(mapping); // Never published: no reader can hold it.
      throw error;
    }
    this.blocks[slot] = region;
    return region;
  }

  /**
   * Unplugs the block in `slot` and returns its mapping; release it to `pool` only after
   * the grace period. `RegionNotFound` if the slot is empty.
   */
  unplugBlock(slot: number): HostMemMapping {
    this.checkSlot(slot);
    const region = this.blocks[slot];
    if (region === undefined) {
      throw new AddressSpaceError('RegionNotFound', `hotplug slot ${slot} holds no block`);
    }
    this.container.deleteSubregion(region);
    this.blocks[slot] = undefined;
    return region.mapping!;
  }

  /**
   * Gives back the host windows of the plugged blocks and of the pool's spare ones. Call
   * once no reader can touch the machine's memory; the area is unusable afterwards.
   */
  dispose(): void {
    for (const block of this.plugged()) block.region.mapping?.release();
    this.pool.dispose();
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) {
      throw AddressSpaceError.invalidArgument(
        `hotplug slot must be an integer from 0 to ${this.slotCount - 1}, got ${String(slot)}`,
      );
    }
  }
}
