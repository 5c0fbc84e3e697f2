/**
 * Reclamation of guest memory on the owner thread (SPEC 8): which mappings a publish
 * retired, when each may be reused, and the poison pattern of check mode.
 *
 * A mapping is retired by the publish of epoch E when the previous view used it and the
 * new one does not. It is reclaimed when the grace period of E ends, unless the current
 * view uses it again or a later publish retired it again (then that later grace period
 * decides), or its region is only hidden: still attached to an address space's tree
 * (covered by a higher-priority sibling, disabled). Hidden memory keeps its contents; it
 * is retired by the first publish after its region left the tree. Reclaiming means: in
 * check mode, fill the whole mapping with `POISON_U32` (reader/poison.ts; little-endian,
 * repeated) unless `keepContents` exempted it; count it; run the callbacks of
 * `whenReclaimed`. Memory that is poisoned and later mapped again must be
 * refilled by its owner first (a hotplug pool does), or readers will read the poison.
 *
 * This module never waits and never decides when a grace period ends: the publisher
 * hands it the epoch whose grace period is over.
 */
import type { FlatRange } from '../../core/flat-view.js';
import type { Region } from '../../core/region.js';
import { isAttached } from '../../core/topology.js';
import type { HostMemMapping } from '../../host/mapping.js';
import { fillPoison } from '../reader/poison.js';
import type { ViewChange } from './view-diff.js';

/** The mapping behind a memory range; `undefined` for IO. */
export function backingOf(range: FlatRange): HostMemMapping | undefined {
  return range.owner.regionType === 'IO' ? undefined : range.owner.mapping;
}

export class Reclaimer {
  private readonly check: boolean;
  /** Mappings of the current view → how many of its ranges use each. */
  private readonly rangesUsing = new Map<HostMemMapping, number>();
  /** Mapping out of the view → the region that used it in the latest view that showed it. */
  private readonly ownerOf = new Map<HostMemMapping, Region>();
  /** Out of the view after their grace period, but their region is still attached. */
  private readonly hidden = new Set<HostMemMapping>();
  /** Mapping → epoch of its latest retirement whose grace period has not ended. */
  private readonly retiredAt = new Map<HostMemMapping, number>();
  private readonly waiters = new Map<HostMemMapping, (() => void)[]>();
  /** Mappings whose contents survive reclamation (never poisoned). */
  private readonly kept = new WeakSet<HostMemMapping>();
  private mappings = 0;
  private bytes = 0;
  private poisoned = 0;

  constructor(check: boolean) {
    this.check = check;
  }

  /**
   * Records the new current view; returns the mappings its publish (epoch) retired. Only
   * the ranges in the changed window are visited: a mapping leaves the view when its last
   * range does.
   */
  published(change: ViewChange, epoch: number): HostMemMapping[] {
    const left: HostMemMapping[] = [];
    if (change.previous !== undefined) {
      for (let i = change.start; i < change.previousEnd; i++) {
        const range = change.previous.rangeAt(i)!;
        const mapping = backingOf(range);
        if (mapping === undefined) continue;
        const uses = this.rangesUsing.get(mapping)! - 1;
        if (uses > 0) {
          this.rangesUsing.set(mapping, uses);
          continue;
        }
        this.rangesUsing.delete(mapping);
        // Its last range in address order: the owner the latest view showing it had.
        this.ownerOf.set(mapping, range.owner);
        left.push(mapping);
      }
    }
    for (let i = change.start; i < change.nextEnd; i++) {
      const mapping = backingOf(change.next.rangeAt(i)!);
      if (mapping !== undefined)
        this.rangesUsing.set(mapping, (this.rangesUsing.get(mapping) ?? 0) + 1);
    }
    const retired: HostMemMapping[] = [];
    for (const mapping of left) {
      if (!this.rangesUsing.has(mapping)) retired.push(mapping);
    }
    for (const mapping of this.hidden) {
      if (this.rangesUsing.has(mapping)) {
        this.hidden.delete(mapping);
      } else if (!this.stillAttached(mapping)) {
        this.hidden.delete(mapping);
        retired.push(mapping);
      }
    }
    for (const mapping of retired) this.retiredAt.set(mapping, epoch);
    return retired;
  }

  /** The grace period of `epoch` is over: reclaims what that publish retired. */
  graceEnded(retired: readonly HostMemMapping[], epoch: number): void {
    for (const mapping of retired) {
      if (this.retiredAt.get(mapping) !== epoch) continue;
      this.retiredAt.delete(mapping);
      if (this.rangesUsing.has(mapping)) continue;
      if (this.stillAttached(mapping)) {
        this.hidden.add(mapping);
        continue;
      }
      this.ownerOf.delete(mapping);
      this.reclaim(mapping);
    }
  }

  /**
   * Never poisons `mapping`: for memory whose region is only hidden for a while and comes
   * back with its contents (a disabled RAM region, a ROM image), not freed or reused.
   */
  keepContents(mapping: HostMemMapping): void {
    this.kept.add(mapping);
  }

  /** Whether the current view uses `mapping`. */
  isInView(mapping: HostMemMapping): boolean {
    return this.rangesUsing.has(mapping);
  }

  /** Whether no reader can reach `mapping`: not in the view, no grace period pending for it. */
  isUnreachable(mapping: HostMemMapping): boolean {
    return !this.rangesUsing.has(mapping) && !this.retiredAt.has(mapping);
  }

  /**
   * Runs `fn` once `mapping` is unused: after the grace period of its latest retirement,
   * or at the next reclamation if the current view still uses it. A mapping that is
   * neither in the view nor waiting for a grace period is free now (`fn` runs in a
   * microtask).
   */
  whenReclaimed(mapping: HostMemMapping, fn: () => void): void {
    if (!this.rangesUsing.has(mapping) && !this.retiredAt.has(mapping)) {
      // The caller takes the memory over: it is no longer ours to retire or poison.
      this.hidden.delete(mapping);
      this.ownerOf.delete(mapping);
      queueMicrotask(fn);
      return;
    }
    const list = this.waiters.get(mapping);
    if (list === undefined) this.waiters.set(mapping, [fn]);
    else list.push(fn);
  }

  private stillAttached(mapping: HostMemMapping): boolean {
    const owner = this.ownerOf.get(mapping);
    return owner !== undefined && isAttached(owner);
  }

  private reclaim(mapping: HostMemMapping): void {
    if (this.check && !mapping.isReleased && !this.kept.has(mapping)) {
      fillPoison(mapping.bytes);
      this.poisoned += 1;
    }
    this.mappings += 1;
    this.bytes += mapping.size;
    const list = this.waiters.get(mapping);
    if (list !== undefined) {
      this.waiters.delete(mapping);
      // Never inside the publish that ended the grace period: callers may change the topology.
      for (const fn of list) queueMicrotask(fn);
    }
  }

  get reclaimedMappings(): number {
    return this.mappings;
  }
  get reclaimedBytes(): number {
    return this.bytes;
  }
  get poisonedMappings(): number {
    return this.poisoned;
  }
}
