/**
 * The `table-growth` fault's topology changes (SPEC 11): a container of `GROWTH_REGIONS`
 * IO regions added in a free gap of the memory root (a view many times larger than the
 * machine's) and later removed, and the same changes applied again by a replay.
 *
 * The fault injector (fault-injector.ts) decides when; a recording (churn-record.ts) keeps
 * each change with its place in the operation stream and the generation it published, so
 * that `run --replay` makes it at the same place and publishes the same generations. This
 * module builds regions and changes the tree; it never waits and never schedules.
 */
import type { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import type { RegionOps } from '../core/types.js';

/** IO regions in the view `table-growth` publishes. */
export const GROWTH_REGIONS = 1024;
const GROWTH_REGION_SIZE = 0x1000;
/** Bytes the growth container covers. */
export const GROWTH_SIZE = GROWTH_REGIONS * GROWTH_REGION_SIZE;

/** One topology change a fault made itself (as a recording keeps it). */
export interface FaultTopologyChange {
  readonly fault: 'table-growth';
  /** The container went in (`add`) or out (`remove`). */
  readonly change: 'add' | 'remove';
  /** The injection's number in the run (names the regions: `fault.table-growth.<id>`). */
  readonly id: number;
  /** GPA of the container in the memory root. */
  readonly base: number;
}

/** The container of injection `id`: `GROWTH_REGIONS` IO regions that accept everything. */
export function growthContainer(id: number): Region {
  const container = Region.initContainerRegion(GROWTH_SIZE, `fault.table-growth.${id}`);
  const ops: RegionOps = { read: () => true, write: () => true };
  for (let i = 0; i < GROWTH_REGIONS; i++) {
    const child = Region.initIoRegion(GROWTH_REGION_SIZE, ops, `fault.table-growth.${id}.${i}`);
    container.addSubregion(child, i * GROWTH_REGION_SIZE);
  }
  return container;
}

/**
 * The lowest 1 MiB-aligned base of `size` bytes inside `root` that none of its direct
 * children covers (enabled or not: a hotplug area with its slots empty, a BAR window),
 * above the first MiB, or `undefined`.
 */
export function freeGap(root: Region, size: number): number | undefined {
  const align = 0x10_0000;
  const taken = root
    .subregions()
    .map((r) => ({ base: r.offset, end: r.offset + r.size }))
    .sort((a, b) => a.base - b.base);
  let cursor = align;
  for (const t of [...taken, { base: root.size, end: root.size }]) {
    const start = Math.ceil(cursor / align) * align;
    if (t.base >= start + size) return start;
    cursor = Math.max(cursor, t.end);
  }
  return undefined;
}

/**
 * A replay's side of the fault's changes: makes each recorded change again on `memory`
 * (the container it added, by id, is the one it removes). Throws what the change throws.
 */
export class GrowthReplayer {
  private readonly memory: AddressSpace;
  private readonly added = new Map<number, Region>();

  constructor(memory: AddressSpace) {
    this.memory = memory;
  }

  apply(change: FaultTopologyChange): void {
    if (change.change === 'add') {
      const container = growthContainer(change.id);
      this.memory.root.addSubregion(container, change.base);
      this.added.set(change.id, container);
      return;
    }
    const container = this.added.get(change.id);
    if (container === undefined) return; // its addition was not replayed: nothing to remove
    this.memory.root.deleteSubregion(container);
    this.added.delete(change.id);
  }
}
