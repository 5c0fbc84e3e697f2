/**
 * A window of equal BAR slots inside a PCI hole container, where device register blocks
 * (BARs) sit and can be moved, the way a guest reprograms a PCI BAR: the `bar` churn kind.
 *
 * A move is one topology change (delete and re-add in one transaction), so readers see
 * the BAR either at its old slot or at its new one, never both or neither; the region's
 * ioeventfds move with it. A refused move changes nothing. This module never decides
 * which slot to pick: the churn layer does.
 */

import { AddressSpaceError, hex } from '../base/errors.js';
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';

/** Where a window's BARs may go, as `BarWindow.describe()` lists it. */
export interface BarSlots {
  readonly container: Region;
  /** GPA of the container's byte 0. */
  readonly containerBase: number;
  readonly slotSize: number;
  /** GPA of each slot. */
  readonly slots: readonly number[];
  /** Devices whose BAR lives in these slots, in the order they were placed. */
  readonly devices: readonly string[];
}

export class BarWindow {
  readonly hole: Region;
  /** GPA of the hole's byte 0. */
  readonly holeBase: number;
  /** GPA of slot 0. */
  readonly windowBase: number;
  readonly slotSize: number;
  readonly slotCount: number;
  private readonly slotOfRegion = new Map<string, { region: Region; slot: number }>();

  constructor(
    hole: Region,
    holeBase: number,
    windowBase: number,
    slotSize: number,
    slotCount: number,
  ) {
    this.hole = hole;
    this.holeBase = holeBase;
    this.windowBase = windowBase;
    this.slotSize = slotSize;
    this.slotCount = slotCount;
  }

  gpaOf(slot: number): number {
    return this.windowBase + slot * this.slotSize;
  }

  /** The slot that starts at `offset` in the hole; `InvalidArgument` if none does. */
  slotAt(offset: number): number {
    const slot = (this.holeBase + offset - this.windowBase) / this.slotSize;
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) {
      throw AddressSpaceError.invalidArgument(
        `offset ${hex(offset)} in ${this.hole.name} does not start a BAR slot`,
      );
    }
    return slot;
  }

  /** Adds `region` (a BAR at most `slotSize` long) to the hole at `slot`. */
  place(region: Region, slot: number): void {
    this.checkFree(slot);
    this.hole.addSubregion(region, this.gpaOf(slot) - this.holeBase);
    this.slotOfRegion.set(region.name, { region, slot });
  }

  /** Moves the BAR named `name` to `slot` in one published change of `space`. */
  move(name: string, slot: number, space: AddressSpace): void {
    const entry = this.entry(name);
    if (slot === entry.slot) return;
    this.checkFree(slot);
    space.transaction(() => {
      this.hole.deleteSubregion(entry.region);
      this.hole.addSubregion(entry.region, this.gpaOf(slot) - this.holeBase);
    });
    entry.slot = slot;
  }

  slotOf(name: string): number {
    return this.entry(name).slot;
  }

  describe(): BarSlots {
    return {
      container: this.hole,
      containerBase: this.holeBase,
      slotSize: this.slotSize,
      slots: Array.from({ length: this.slotCount }, (_, i) => this.gpaOf(i)),
      devices: [...this.slotOfRegion.keys()],
    };
  }

  private entry(name: string): { region: Region; slot: number } {
    const entry = this.slotOfRegion.get(name);
    if (entry === undefined)
      throw new AddressSpaceError('RegionNotFound', `no BAR device named ${name}`);
    return entry;
  }

  private checkFree(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) {
      throw AddressSpaceError.invalidArgument(
        `BAR slot must be an integer from 0 to ${this.slotCount - 1}, got ${String(slot)}`,
      );
    }
    for (const [other, taken] of this.slotOfRegion) {
      if (taken.slot === slot)
        throw new AddressSpaceError('RegionInUse', `BAR slot ${slot} holds ${other}`);
    }
  }
}
