/**
 * Owner-side map from region id to `Region` for the regions a reader may still name: those
 * of the current view, and those a publish removed whose grace period has not ended (a
 * vCPU blocked in an MMIO exit resolved its region before the removal). Regions removed
 * under an `immediate` strategy (mutex, none) are kept for `IMMEDIATE_KEEP_EPOCHS` more
 * publishes, since those readers drop their lock before an exit.
 *
 * It only remembers; it never runs device callbacks.
 */
import type { Region } from '../../core/region.js';
import type { ViewChange } from './view-diff.js';

const IMMEDIATE_KEEP_EPOCHS = 64;

export class RegionRetention {
  /** Regions of the current view, with how many of its ranges each owns. */
  private readonly live = new Map<number, { region: Region; ranges: number }>();
  /** Removed regions, with the epoch of the publish that removed them. */
  private readonly removed = new Map<number, { region: Region; epoch: number }>();

  /** Records the new current view, visiting only the ranges in the changed window. */
  published(change: ViewChange, epoch: number): void {
    const left: Region[] = [];
    if (change.previous !== undefined) {
      for (let i = change.start; i < change.previousEnd; i++) {
        const region = change.previous.rangeAt(i)!.owner;
        const entry = this.live.get(region.id)!;
        entry.ranges -= 1;
        if (entry.ranges > 0) continue;
        this.live.delete(region.id);
        left.push(entry.region);
      }
    }
    for (let i = change.start; i < change.nextEnd; i++) {
      const region = change.next.rangeAt(i)!.owner;
      const entry = this.live.get(region.id);
      if (entry !== undefined) {
        entry.ranges += 1;
        continue;
      }
      this.live.set(region.id, { region, ranges: 1 });
      this.removed.delete(region.id);
    }
    for (const region of left) {
      if (!this.live.has(region.id)) this.removed.set(region.id, { region, epoch });
    }
  }

  /** The grace period of `epoch` is over (`immediate`: called at once by mutex and none). */
  graceEnded(epoch: number, immediate: boolean): void {
    const last = immediate ? epoch - IMMEDIATE_KEEP_EPOCHS : epoch;
    for (const [id, entry] of this.removed) {
      if (entry.epoch <= last) this.removed.delete(id);
    }
  }

  get(id: number): Region | undefined {
    return this.live.get(id)?.region ?? this.removed.get(id)?.region;
  }
}
