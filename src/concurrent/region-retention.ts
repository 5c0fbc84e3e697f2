/**
 * Owner-side map from region id to `Region` for the regions a reader may still name: those
 * of the current view, and those a publish removed whose grace period has not ended (a
 * vCPU blocked in an MMIO exit resolved its region before the removal). Regions removed
 * under an `immediate` strategy (mutex, none) are kept for `IMMEDIATE_KEEP_EPOCHS` more
 * publishes, since those readers drop their lock before an exit.
 *
 * It only remembers; it never runs device callbacks.
 */
import type { PublishedRange, PublishedRegion } from './table-writer.js';

const IMMEDIATE_KEEP_EPOCHS = 64;

export class RegionRetention {
  private live = new Map<number, PublishedRegion>();
  /** Removed regions, with the epoch of the publish that removed them. */
  private readonly removed = new Map<number, { region: PublishedRegion; epoch: number }>();

  published(ranges: readonly PublishedRange[], epoch: number): void {
    const next = new Map<number, PublishedRegion>();
    for (const range of ranges) next.set(range.owner.id, range.owner);
    for (const [id, region] of this.live) {
      if (!next.has(id)) this.removed.set(id, { region, epoch });
    }
    for (const id of next.keys()) this.removed.delete(id);
    this.live = next;
  }

  /** The grace period of `epoch` is over (`immediate`: called at once by mutex and none). */
  graceEnded(epoch: number, immediate: boolean): void {
    const last = immediate ? epoch - IMMEDIATE_KEEP_EPOCHS : epoch;
    for (const [id, entry] of this.removed) {
      if (entry.epoch <= last) this.removed.delete(id);
    }
  }

  get(id: number): PublishedRegion | undefined {
    return this.live.get(id) ?? this.removed.get(id)?.region;
  }
}
