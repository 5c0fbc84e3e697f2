/**
 * What a built machine offers each churn kind, as plain data: how many hotplug slots, the
 * BAR window's geometry and where each BAR is, each flash's romd mode, each toggleable
 * alias (on or off, and the guest range it covers), and the memory-space regions that
 * carry doorbells. The churn schedule models this state, and the workloads keep off the
 * ranges the `alias` kind changes. Read from the machine's objects when called; nothing
 * here changes the topology, and no `Region` leaves this module.
 */
import { ADDRESS_LIMIT, type AddressRange, checkedAdd } from '../base/address.js';
import type { Region } from '../core/region.js';
import type { Machine } from './machine.js';

export interface Churnables {
  /** Slots of the hotplug area (0: no area). */
  readonly hotplugSlots: number;
  readonly barWindow: BarWindowState | undefined;
  readonly flash: readonly { readonly name: string; readonly romd: boolean }[];
  /** The aliases the `alias` kind switches (`MachineTargets.toggleableAliases`). */
  readonly aliases: readonly ChurnableAlias[];
  /** Regions of the memory space that carry ioeventfds, as built. */
  readonly ioeventfdRegions: readonly string[];
}

/** A BAR window: slot `k` starts at `windowBase + k * slotSize`. */
export interface BarWindowState {
  readonly windowBase: number;
  readonly slotSize: number;
  readonly slotCount: number;
  /** Its BARs in the order they were placed, each with the slot it is in now. */
  readonly bars: readonly { readonly name: string; readonly slot: number }[];
}

export interface ChurnableAlias {
  readonly name: string;
  readonly enabled: boolean;
  /** The guest range it covers when reached through containers; none for a loose alias. */
  readonly range: AddressRange | undefined;
}

export function churnablesOf(machine: Machine): Churnables {
  const t = machine.targets;
  const bars = machine.bars;
  return {
    hotplugSlots: machine.hotplug?.slotCount ?? 0,
    barWindow:
      bars === undefined
        ? undefined
        : {
            windowBase: bars.windowBase,
            slotSize: bars.slotSize,
            slotCount: bars.slotCount,
            bars: bars.describe().devices.map((name) => ({ name, slot: bars.slotOf(name) })),
          },
    flash: t.flash.map((f) => ({ name: f.name, romd: f.region.getRomDeviceRomd() ?? true })),
    aliases: t.toggleableAliases.map((r) => ({
      name: r.name,
      enabled: r.enabled,
      range: r.parent === undefined ? undefined : { base: absoluteBase(r), size: r.size },
    })),
    ioeventfdRegions: t.ioeventfds
      .filter((e) => rootOf(e.region) === machine.memory.root)
      .map((e) => e.region.name),
  };
}

/** Address of `region` in its tree when it is reached through containers only. */
function absoluteBase(region: Region): number {
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
