/**
 * Applying churn operations to a built `Machine`: each scheduled `ChurnOp` goes to the
 * machine's method for its kind (machine.ts `MachineChurnMethods`), which checks it and
 * changes the board through its own objects; and the `ChurnTargets` a machine offers the
 * schedule, from its plain-data `churnablesOf` and this layer's policy (how many hotplug
 * slots a run churns, which second slot each BAR moves to).
 *
 * Every operation is one topology change on the owner thread, so it renders, tells
 * listeners and publishes once. An unplugged block's mapping goes back to the hotplug
 * pool only once the publisher says no reader can reach it (after the removal's grace
 * period, and after check mode poisoned it; SPEC 8). A change the machine refuses throws
 * its `AddressSpaceError` and leaves the machine as it was; the driver counts it. This
 * module never decides when to churn, and never touches a region itself.
 */
import type { AddressRange } from '../base/address.js';
import { PAGE_SIZE } from '../base/constants.js';
import { type BarWindowState, churnablesOf } from '../machine/churnables.js';
import type { Machine, ReclaimNotifier } from '../machine/machine.js';
import type { ChurnOp, ChurnTargets } from './churn-schedule.js';

/** Guest ranges whose content the `alias` kind may change (for workloads to avoid). */
export function aliasWindows(machine: Machine): AddressRange[] {
  return churnablesOf(machine).aliases.flatMap((a) => (a.range === undefined ? [] : [a.range]));
}

/** A device BAR the `bar` kind moves: its two slots (home first) and their addresses. */
export interface BarPositions {
  readonly device: string;
  readonly slots: readonly [number, number];
  readonly gpas: readonly [number, number];
}

/**
 * The BARs the `bar` kind may move, each between the slot it is in (where it was built,
 * before churn) and one reserved for it half the window away (or the next free slot after
 * that), so a guest that knows both places can keep using the device.
 */
export function barPositionsOf(machine: Machine): BarPositions[] {
  const window = churnablesOf(machine).barWindow;
  return window === undefined ? [] : barPositionsIn(window);
}

function barPositionsIn(window: BarWindowState): BarPositions[] {
  const n = window.slotCount;
  const gpaOf = (slot: number) => window.windowBase + slot * window.slotSize;
  const taken = new Set(window.bars.map((b) => b.slot));
  const out: BarPositions[] = [];
  for (const home of window.bars) {
    let alt = -1;
    for (let i = 0; i < n && alt < 0; i++) {
      const candidate = (home.slot + Math.floor(n / 2) + i) % n;
      if (!taken.has(candidate)) alt = candidate;
    }
    if (alt < 0) continue;
    taken.add(alt);
    out.push({ device: home.name, slots: [home.slot, alt], gpas: [gpaOf(home.slot), gpaOf(alt)] });
  }
  return out;
}

/** What `machine` offers to each churn kind, in its state now (before churn starts). */
export function churnTargetsOf(machine: Machine): ChurnTargets {
  const c = churnablesOf(machine);
  const bars = c.barWindow === undefined ? [] : barPositionsIn(c.barWindow);
  return {
    hotplugSlots: Math.min(c.hotplugSlots, CHURNED_HOTPLUG_SLOTS),
    bar: bars.map((b) => ({ name: b.device, slots: b.slots, slot: b.slots[0] })),
    flash: c.flash.map((f) => ({ name: f.name, romd: f.romd })),
    aliases: c.aliases.map((a) => ({ name: a.name, enabled: a.enabled })),
    // Doorbells in the memory space: the one the vCPUs and the backend see.
    ioeventfdRegions: c.ioeventfdRegions,
  };
}

/**
 * Hotplug slots a run churns: the first `CHURNED_HOTPLUG_SLOTS` of the area. Every block
 * costs its pages the first time it is touched (filled, poisoned, read), so a few slots
 * cycled through a small pool of mappings keep a run about the topology, not page faults.
 */
export const CHURNED_HOTPLUG_SLOTS = 8;

/** How many of `machine`'s hotplug slots the `hotplug` kind uses (0 without an area). */
export function churnedHotplugSlots(machine: Machine): number {
  return Math.min(machine.hotplug?.slotCount ?? 0, CHURNED_HOTPLUG_SLOTS);
}

/**
 * Plugs every churned hotplug slot that is empty (setup, before the vCPUs run: not
 * counted as churn), so the machine matches the schedule's starting model.
 */
export function plugChurnedHotplugSlots(machine: Machine): void {
  const area = machine.hotplug;
  if (area === undefined) return;
  machine.memory.transaction(() => {
    for (let slot = 0; slot < churnedHotplugSlots(machine); slot++) {
      if (!area.isPlugged(slot)) area.plugBlock(slot);
    }
  });
}

/**
 * Fills the hotplug pool with `CHURNED_HOTPLUG_SLOTS` spare blocks whose pages are
 * already committed (setup, before the clock starts), so plugging during the run reuses
 * warm memory instead of paying the host's first-touch cost inside the measurement.
 */
export function warmHotplugPool(machine: Machine): void {
  const pool = machine.hotplug?.pool;
  if (pool === undefined) return;
  const spares = Array.from({ length: CHURNED_HOTPLUG_SLOTS }, () => pool.acquire());
  for (const mapping of spares) {
    const bytes = mapping.bytes;
    for (let i = 0; i < bytes.length; i += PAGE_SIZE) bytes[i] = 0;
    pool.release(mapping);
  }
}

/** Applies one operation; throws the `AddressSpaceError` of a refused change. */
export function applyChurnOp(machine: Machine, reclaim: ReclaimNotifier, op: ChurnOp): void {
  switch (op.kind) {
    case 'hotplug':
      machine.setHotplugSlot(op.slot, op.action === 'plug', reclaim);
      return;
    case 'bar':
      machine.moveBar(op.device, op.toSlot);
      return;
    case 'romd':
      machine.setFlashRomd(op.region, op.romd);
      return;
    case 'alias':
      machine.setAliasEnabled(op.region, op.enabled);
      return;
    case 'ioeventfd':
      machine.setIoeventfdsEnabled(op.region, op.enabled);
      return;
  }
}
