/**
 * Deriving the workload and churn lists of a `Machine` (machine.ts) from what was built:
 * RAM pieces of a flat view minus DMA areas, doorbells from the flattened ioeventfds,
 * MMIO targets from devices. Pure functions over built objects; nothing here changes the
 * topology.
 */

import { AddressSpaceError } from '../base/errors.js';
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import type {
  DmaArea,
  Doorbell,
  IoeventfdTarget,
  MachineDevice,
  MmioTarget,
  RamRange,
  SpaceName,
} from './machine.js';

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

/** Installs or removes the ioeventfds a region was built with (`Machine.setIoeventfdsEnabled`). */
export function setIoeventfdsEnabled(
  targets: readonly IoeventfdTarget[],
  regionName: string,
  on: boolean,
): void {
  const target = targets.find((t) => t.region.name === regionName);
  if (target === undefined) {
    throw new AddressSpaceError(
      'RegionNotFound',
      `no region named ${regionName} carries ioeventfds`,
    );
  }
  target.region.setIoeventfds(on ? target.ioeventfds : []);
}
