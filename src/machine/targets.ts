/**
 * Deriving the workload lists of a `Machine` (machine.ts) from what was built: RAM pieces
 * of a flat view minus DMA areas (or the RAM a machine file's `targets.ram` names),
 * doorbells from the flattened ioeventfds, MMIO targets from devices (or through the
 * regions `targets.mmio` names). Pure functions over built objects; nothing here changes
 * the topology.
 */

import { hex } from '../base/errors.js';
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import { MachineConfigError } from './errors.js';
import type {
  DmaArea,
  Doorbell,
  Machine,
  MachineDevice,
  MmioTarget,
  RamRange,
  SpaceName,
} from './machine.js';
import type { RamTargetConfig, RegionConfig } from './machine-config.js';

/** The Ram pieces of `space`'s current view, with the DMA areas cut out. */
export function ramRangesOf(space: AddressSpace, dmaAreas: readonly DmaArea[]): RamRange[] {
  const pieces: RamRange[] = [];
  for (const range of space.flatView.ranges) {
    if (range.owner.regionType !== 'Ram') continue;
    pieces.push({
      base: range.addrRange.base,
      size: range.addrRange.size,
      region: range.owner.name,
    });
  }
  return subtractAreas(pieces, dmaAreas);
}

/** `ranges` minus every `{gpa, size}` area, keeping each piece's region name. */
export function subtractAreas(
  ranges: readonly RamRange[],
  areas: readonly { gpa: number; size: number }[],
): RamRange[] {
  let out = [...ranges];
  for (const area of areas) {
    const cutEnd = area.gpa + area.size;
    const next: RamRange[] = [];
    for (const r of out) {
      const end = r.base + r.size;
      if (cutEnd <= r.base || area.gpa >= end) {
        next.push(r);
        continue;
      }
      if (area.gpa > r.base) next.push({ ...r, size: area.gpa - r.base });
      if (cutEnd < end) next.push({ ...r, base: cutEnd, size: end - cutEnd });
    }
    out = next;
  }
  return out;
}

/** Doorbells of `devices` where `space`'s current view places their ioeventfds. */
export function doorbellsOf(
  space: AddressSpace,
  spaceName: SpaceName,
  devices: ReadonlyMap<string, MachineDevice>,
): Doorbell[] {
  const byRegion = new Map<Region, MachineDevice>();
  for (const d of devices.values()) byRegion.set(d.region, d);
  const out: Doorbell[] = [];
  for (const e of space.flatView.ioeventfds) {
    const device = byRegion.get(e.owner);
    if (device === undefined) continue;
    out.push({
      device: device.name,
      space: spaceName,
      gpa: e.addrRange.base,
      size: e.addrRange.size,
      value: e.dataMatch ? e.data : 0n,
      fd: e.fd,
    });
  }
  return out;
}

/** Register blocks of the devices that sit at a known address. */
export function mmioTargetsOf(devices: ReadonlyMap<string, MachineDevice>): MmioTarget[] {
  const out: MmioTarget[] = [];
  for (const d of devices.values()) {
    if (d.space === undefined || d.base === undefined || d.model === 'pflash') continue;
    out.push({
      device: d.name,
      model: d.model,
      space: d.space,
      base: d.base,
      size: d.device.size,
      probes: d.device.probes(),
    });
  }
  return out;
}

/** Where a region sits when it is reached through containers only. */
export interface Placement {
  readonly space: SpaceName;
  readonly base: number;
}

/**
 * The RAM a machine file's `targets.ram` names, as guest ranges of `space` (the memory
 * space); each must be guest RAM there, or the file is refused at `targets.ram[i]`.
 */
export function configuredRamRanges(
  ram: readonly RamTargetConfig[],
  space: AddressSpace,
  placements: ReadonlyMap<string, Placement>,
): RamRange[] {
  return ram.map((r, i) => {
    const base = placements.get(r.region)!.base + r.offset;
    if (!space.addressInMemory(base, r.size)) {
      throw new MachineConfigError(
        `targets.ram[${i}]`,
        `${hex(base)} + size ${hex(r.size)} (offset ${hex(r.offset)} in "${r.region}") is not guest RAM`,
      );
    }
    return { base, size: r.size, region: r.region };
  });
}

/**
 * Register blocks reached through the regions a machine file's `targets.mmio` names, in
 * its order: a device's own region, or an alias showing all of one (checked when the file
 * was read).
 */
export function configuredMmioTargets(
  names: readonly string[],
  configs: ReadonlyMap<string, RegionConfig>,
  placements: ReadonlyMap<string, Placement>,
  devices: ReadonlyMap<string, MachineDevice>,
): MmioTarget[] {
  return names.map((name) => {
    const region = configs.get(name)!;
    const device = devices.get(region.type === 'Alias' ? region.target! : name)!;
    const { space, base } = placements.get(name)!;
    return {
      device: device.name,
      model: device.model,
      space,
      base,
      size: device.device.size,
      probes: device.device.probes(),
    };
  });
}

/** `machine`'s RAM ranges that are not backed by a read-only mapping. */
export function writableRamRanges(machine: Machine): RamRange[] {
  return machine.targets.ramRanges.filter((r) => {
    const mapping = machine.regions.get(r.region)?.mapping;
    return mapping === undefined || !mapping.readOnly;
  });
}
