/**
 * The churn methods of a built machine (`MachineChurnMethods` in machine.ts): one per
 * churn kind, each a thin, checking entry into the object that owns that part of the
 * board, so a change made by churn is the same change the board's own API makes:
 *
 * | kind      | goes through                                 | refuses                      |
 * |-----------|----------------------------------------------|------------------------------|
 * | hotplug   | `HotplugArea.plugBlock` / `unplugBlock`      | no area, bad or busy slot    |
 * | bar       | `BarWindow.move` (its free-slot check)       | no window, unknown BAR, taken or bad slot |
 * | romd      | the flash's RomDevice region                 | a name that is not a flash   |
 * | alias     | `PamWindows.setMode`, or the alias itself    | a name that is not a toggleable alias |
 * | ioeventfd | the region's own ioeventfd list              | a region built without ioeventfds |
 *
 * Refusals are `AddressSpaceError`s thrown before anything changed. This module never
 * decides what to churn or when, and never waits for a grace period: an unplugged block's
 * mapping returns to the pool through the caller's `ReclaimNotifier`.
 */
import { AddressSpaceError } from '../base/errors.js';
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import type { BarWindow } from './bar-window.js';
import type { HotplugArea } from './hotplug.js';
import type { FlashTarget, IoeventfdTarget, MachineChurnMethods } from './machine.js';
import type { PamWindows } from './pam.js';

/** The parts of a built machine the churn methods act on. */
export interface ChurnParts {
  readonly memory: AddressSpace;
  readonly hotplug: HotplugArea | undefined;
  readonly bars: BarWindow | undefined;
  readonly pam: PamWindows | undefined;
  readonly flash: readonly FlashTarget[];
  readonly ioeventfds: readonly IoeventfdTarget[];
  readonly toggleableAliases: readonly Region[];
}

export function churnMethods(parts: ChurnParts): MachineChurnMethods {
  return {
    setHotplugSlot(slot, plugged, reclaim) {
      const area = present(parts.hotplug, 'the machine has no hotplug area');
      if (plugged) {
        area.plugBlock(slot);
        return;
      }
      const mapping = area.unplugBlock(slot);
      reclaim.whenReclaimed(mapping, () => area.pool.release(mapping));
    },
    moveBar(device, slot) {
      present(parts.bars, 'the machine has no BAR window').move(device, slot, parts.memory);
    },
    setFlashRomd(name, romd) {
      const flash = parts.flash.find((f) => f.name === name);
      present(flash, `the machine has no flash named ${name}`).region.setRomDeviceRomd(romd);
    },
    setAliasEnabled(name, enabled) {
      const alias = present(
        parts.toggleableAliases.find((r) => r.name === name),
        `the machine has no toggleable alias named ${name}`,
      );
      const pam = parts.pam;
      const window = pam?.windows.find((w) => w.region === alias);
      if (pam !== undefined && window !== undefined)
        pam.setMode(window.index, enabled ? 'ram' : 'pci');
      else alias.setEnabled(enabled);
    },
    setIoeventfdsEnabled(regionName, on) {
      const target = present(
        parts.ioeventfds.find((t) => t.region.name === regionName),
        `no region named ${regionName} carries ioeventfds`,
      );
      target.region.setIoeventfds(on ? target.ioeventfds : []);
    },
  };
}

function present<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new AddressSpaceError('RegionNotFound', problem);
  return value;
}
