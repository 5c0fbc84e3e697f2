/**
 * The hotplug storm that the poison and stalled-reader scenarios share: a container of
 * `SLOTS` slots of `BLOCK` bytes; the owner plugs and unplugs RAM blocks at random. A
 * mapping goes back to the pool only through `publisher.whenReclaimed` (after its grace
 * period, poisoned in check mode) and is refilled with a live pattern before it is
 * plugged again, so a reader that reads the poison word read reclaimed memory.
 *
 * When the pool is empty the owner either waits for a grace period (`wait`), or makes a
 * new mapping (`grow`: the owner never waits for readers; what retired memory piles up
 * is the strategy's retention). It changes topology; it judges nothing.
 */
import type { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';

export const SLOTS = 8;
export const BLOCK = 1 << 16;

export class HotplugStorm {
  readonly root = Region.initContainerRegion(SLOTS * BLOCK, 'hotplug');
  /** Mappings made (the pool's size grows under `grow`). */
  created = 0;
  private readonly pool: HostMemMapping[] = [];
  private readonly plugged: (Region | undefined)[] = new Array(SLOTS).fill(undefined);
  private publisher: SharedViewPublisher | undefined;
  private readonly random: () => number;
  private readonly onEmpty: 'wait' | 'grow';

  constructor(random: () => number, onEmpty: 'wait' | 'grow') {
    this.random = random;
    this.onEmpty = onEmpty;
    for (let i = 0; i < SLOTS * 2; i++) this.pool.push(this.newMapping());
    for (let slot = 0; slot < SLOTS; slot++) this.plugNow(slot, this.pool.pop()!);
  }

  /** The publisher that reclaims (set once the address space is published). */
  attach(publisher: SharedViewPublisher): void {
    this.publisher = publisher;
  }

  /** One random plug or unplug. */
  async step(): Promise<void> {
    const slot = Math.floor(this.random() * SLOTS);
    if (this.plugged[slot] !== undefined) {
      this.unplug(slot);
      return;
    }
    while (this.pool.length === 0) {
      if (this.onEmpty === 'grow') this.pool.push(this.newMapping());
      else await this.publisher!.synchronize();
    }
    this.plugNow(slot, this.pool.pop()!);
  }

  private newMapping(): HostMemMapping {
    this.created++;
    return HostMemMapping.create({ size: BLOCK, name: `dimm${this.created}` });
  }

  private plugNow(slot: number, mapping: HostMemMapping): void {
    new Uint32Array(mapping.buffer).fill(0x1000 + slot);
    const dimm = Region.initRamRegion(mapping, `dimm@${slot}`);
    this.root.addSubregion(dimm, slot * BLOCK);
    this.plugged[slot] = dimm;
  }

  private unplug(slot: number): void {
    const dimm = this.plugged[slot]!;
    this.root.deleteSubregion(dimm);
    this.plugged[slot] = undefined;
    const mapping = dimm.mapping!;
    this.publisher!.whenReclaimed(mapping, () => this.pool.push(mapping));
  }
}
