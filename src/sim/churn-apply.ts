/**
 * Applying churn operations to a built `Machine`: what each scheduled `ChurnOp` means in
 * regions (plug a RAM block, move a BAR, flip romd, switch an alias, remove doorbells),
 * and the `ChurnTargets` a machine offers the schedule.
 *
 * Every operation is one topology change on the owner thread (a BAR move is one
 * transaction), so it renders, tells listeners and publishes once. An unplugged block's
 * mapping goes back to the hotplug pool only once the publisher says no reader can reach
 * it any more (after the removal's grace period, and after check mode poisoned it; SPEC
 * 8). A change the address space refuses throws its `AddressSpaceError` and leaves the
 * machine as it was; the driver counts it. This module never decides when to churn.
 */

import { ADDRESS_LIMIT, type AddressRange, checkedAdd } from '../base/address.js';
import { PAGE_SIZE } from '../base/constants.js';
import { AddressSpaceError } from '../base/errors.js';
import type { Region } from '../core/region.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { Machine } from '../machine/machine.js';
import type { ChurnOp, ChurnTargets } from './churn-schedule.js';

/** What applying needs of the publisher: run code once a mapping is unreachable. */
export interface ReclaimNotifier {
  whenReclaimed(mapping: HostMemMapping, fn: () => void): void;
}

/** Guest-physical base of `region` when it is reached through containers only. */
export function absoluteBase(region: Region): number {
  let base = 0;
  for (let r: Region | undefined = region; r !== undefined; r = r.parent) {
    // Offsets were checked when the regions were added: the sum stays below the limit.
    base = checkedAdd(base, r.offset) ?? ADDRESS_LIMIT;
  }
  return base;
}

function rootOf(region: Region): Region {
  let r = region;
  while (r.parent !== undefined) r = r.parent;
  return r;
}

/** The alias windows the `alias` kind switches: the PAM windows, else every alias. */
export function churnableAliases(machine: Machine): Region[] {
  const pam = machine.targets.pamWindows;
  if (pam.length > 0) return pam.map((w) => w.region);
  return [...machine.targets.toggleableAliases];
}

/** Guest ranges whose content the `alias` kind may change (for workloads to avoid). */
export function aliasWindows(machine: Machine): AddressRange[] {
  return churnableAliases(machine)
    .filter((r) => r.parent !== undefined)
    .map((r) => ({ base: absoluteBase(r), size: r.size }));
}

/** A device BAR the `bar` kind moves: its two slots (home first) and their addresses. */
export interface BarPositions {
  readonly device: string;
  readonly slots: readonly [number, number];
  readonly gpas: readonly [number, number];
}

/**
 * The BARs the `bar` kind may move, each between the slot it was built in and one
 * reserved for it half the window away (or the next free slot after that), so a guest
 * that knows both places can keep using the device.
 */
export function barPositionsOf(machine: Machine): BarPositions[] {
  const bar = machine.targets.barSlots;
  if (bar === undefined) return [];
  const homes: { device: string; slot: number }[] = [];
  for (const name of bar.devices) {
    const region = machine.devices.get(name)?.region;
    if (region === undefined || region.parent !== bar.container) continue;
    const slot = bar.slots.indexOf(bar.containerBase + region.offset);
    if (slot >= 0) homes.push({ device: name, slot });
  }
  const taken = new Set(homes.map((h) => h.slot));
  const out: BarPositions[] = [];
  for (const home of homes) {
    const n = bar.slots.length;
    let alt = -1;
    for (let i = 0; i < n && alt < 0; i++) {
      const candidate = (home.slot + Math.floor(n / 2) + i) % n;
      if (!taken.has(candidate)) alt = candidate;
    }
    if (alt < 0) continue;
    taken.add(alt);
    out.push({
      device: home.device,
      slots: [home.slot, alt],
      gpas: [bar.slots[home.slot]!, bar.slots[alt]!],
    });
  }
  return out;
}

/** What `machine` offers to each churn kind, in its state as built. */
export function churnTargetsOf(machine: Machine): ChurnTargets {
  const t = machine.targets;
  return {
    hotplugSlots: churnedHotplugSlots(machine),
    bar: barPositionsOf(machine).map((b) => ({ name: b.device, slots: b.slots, slot: b.slots[0] })),
    flash: t.flash.map((f) => ({ name: f.name, romd: f.region.getRomDeviceRomd() ?? true })),
    aliases: churnableAliases(machine).map((r) => ({ name: r.name, enabled: r.enabled })),
    // Doorbells in the memory space: the one the vCPUs and the backend see.
    ioeventfdRegions: t.ioeventfds
      .filter((e) => rootOf(e.region) === machine.memory.root)
      .map((e) => e.region.name),
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
    case 'hotplug': {
      const area = requireDefined(machine.hotplug, 'the machine has no hotplug area');
      if (op.action === 'plug') {
        area.plugBlock(op.slot);
      } else {
        const mapping = area.unplugBlock(op.slot);
        reclaim.whenReclaimed(mapping, () => area.pool.release(mapping));
      }
      return;
    }
    case 'bar': {
      const slots = requireDefined(machine.targets.barSlots, 'the machine has no BAR slots');
      const region = machine.devices.get(op.device)?.region;
      const gpa = slots.slots[op.toSlot];
      if (region === undefined || gpa === undefined) {
        throw new AddressSpaceError(
          'RegionNotFound',
          `no BAR ${op.device} or slot ${op.toSlot} to move it to`,
        );
      }
      const container = slots.container;
      machine.memory.transaction(() => {
        container.deleteSubregion(region);
        container.addSubregion(region, gpa - slots.containerBase);
      });
      return;
    }
    case 'romd':
      regionNamed(machine, op.region).setRomDeviceRomd(op.romd);
      return;
    case 'alias':
      regionNamed(machine, op.region).setEnabled(op.enabled);
      return;
    case 'ioeventfd':
      machine.setIoeventfdsEnabled(op.region, op.enabled);
      return;
  }
}

function regionNamed(machine: Machine, name: string): Region {
  const region = machine.regions.get(name);
  if (region === undefined) {
    throw new AddressSpaceError('RegionNotFound', `the machine has no region named ${name}`);
  }
  return region;
}

function requireDefined<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new AddressSpaceError('RegionNotFound', problem);
  return value;
}
