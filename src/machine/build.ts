/**
 * `buildMachine(config)`: turns a checked `MachineConfig` (machine-file.ts) into a live
 * `Machine`: mappings, regions, devices, ioeventfds and the `memory` / `io` address
 * spaces, plus the lists the workload and churn layers use (targets.ts).
 *
 * Children are added in file order; among siblings of equal priority the one listed
 * later renders first and wins (SPEC 3: the child added last wins). Everything is put
 * together before the address spaces exist, so building publishes one view per space.
 * If anything fails, every mapping created so far is released and the error is thrown:
 * no partial machine is left behind. This module never runs a simulation.
 */

import { hex } from '../base/errors.js';
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import type { RegionIoEventFd } from '../core/types.js';
import { EventFd } from '../host/event-fd.js';
import { HostMemMapping } from '../host/mapping.js';
import type { DeviceModel } from './devices/device.js';
import { Pflash } from './devices/pflash.js';
import { RamBlockPool } from './devices/ram-block-pool.js';
import { createDevice } from './devices/registry.js';
import { VirtioMmio } from './devices/virtio-mmio.js';
import { MachineConfigError } from './errors.js';
import { HotplugArea } from './hotplug.js';
import type {
  DmaArea,
  FlashTarget,
  IoeventfdTarget,
  Machine,
  MachineDevice,
  SpaceName,
} from './machine.js';
import type { MachineConfig, RegionConfig } from './machine-config.js';
import { doorbellsOf, mmioTargetsOf, ramRangesOf, setIoeventfdsEnabled } from './targets.js';

interface Placement {
  readonly space: SpaceName;
  /** Address in the space when reached through containers only. */
  readonly base: number;
}

export function buildMachine(config: MachineConfig): Machine {
  const mappings = new Map<string, HostMemMapping>();
  try {
    for (const m of config.mappings.values()) {
      mappings.set(
        m.name,
        HostMemMapping.create({ size: m.size, name: m.name, readOnly: m.readOnly }),
      );
    }
    return assemble(config, mappings);
  } catch (error) {
    for (const mapping of mappings.values()) mapping.release();
    throw error;
  }
}

function assemble(config: MachineConfig, mappings: ReadonlyMap<string, HostMemMapping>): Machine {
  const configs = new Map<string, RegionConfig>();
  const placements = new Map<string, Placement>();
  const collect = (r: RegionConfig, space: SpaceName | undefined, base: number): void => {
    configs.set(r.name, r);
    if (space !== undefined) placements.set(r.name, { space, base });
    for (const child of r.children) collect(child, space, base + child.offset);
  };
  collect(config.memory, 'memory', 0);
  if (config.io !== undefined) collect(config.io, 'io', 0);
  for (const r of config.detached) collect(r, undefined, 0);

  const regions = new Map<string, Region>();
  const devices = new Map<string, MachineDevice>();
  const ioeventfdTargets: IoeventfdTarget[] = [];
  const create = (r: RegionConfig): Region => {
    const existing = regions.get(r.name);
    if (existing !== undefined) return existing;
    const mapping = r.mapping === undefined ? undefined : mappings.get(r.mapping)!;
    const device = r.device === undefined ? undefined : createDevice(r.device, mapping);
    const region = createRegion(r, mapping, device, (name) => create(configs.get(name)!));
    regions.set(r.name, region);
    if (r.device !== undefined && device !== undefined) {
      if (device instanceof Pflash) device.attach(region);
      const placement = placements.get(r.name);
      devices.set(r.name, {
        name: r.name,
        model: r.device.model,
        device,
        region,
        space: placement?.space,
        base: placement?.base,
      });
    }
    const ioeventfds = ioeventfdsOf(r, device);
    if (ioeventfds.length > 0) {
      region.setIoeventfds(ioeventfds);
      ioeventfdTargets.push({ region, ioeventfds });
    }
    return region;
  };
  for (const r of configs.values()) create(r);
  for (const r of configs.values()) {
    const container = regions.get(r.name)!;
    for (const child of r.children) {
      const region = regions.get(child.name)!;
      region.setPriority(child.priority);
      region.setEnabled(child.enabled);
      container.addSubregion(region, child.offset);
    }
  }

  const machineRam = config.machineRam === undefined ? undefined : regions.get(config.machineRam);
  const memory = new AddressSpace(regions.get(config.memory.name)!, 'memory', machineRam);
  const io =
    config.io === undefined ? undefined : new AddressSpace(regions.get(config.io.name)!, 'io');
  const dmaAreas = checkDmaAreas(config, memory, configs);

  let hotplug: HotplugArea | undefined;
  if (config.hotplug !== undefined) {
    const pool = new RamBlockPool({
      blockSize: config.hotplug.blockSize,
      name: `${config.hotplug.container}.block`,
    });
    hotplug = new HotplugArea(
      regions.get(config.hotplug.container)!,
      placements.get(config.hotplug.container)!.base,
      pool,
    );
  }

  const flash: FlashTarget[] = [];
  for (const d of devices.values()) {
    if (d.device instanceof Pflash && d.space === 'memory' && d.base !== undefined) {
      flash.push({
        name: d.name,
        base: d.base,
        size: d.region.size,
        region: d.region,
        device: d.device,
      });
    }
  }
  const toggleableAliases = [...regions.values()].filter((r) => r.regionType === 'Alias');
  return {
    name: config.name,
    memory,
    io,
    regions,
    mappings,
    devices,
    hotplug,
    targets: {
      ramRanges: ramRangesOf(memory, dmaAreas),
      dmaAreas,
      mmio: mmioTargetsOf(devices),
      doorbells: [
        ...doorbellsOf(memory, 'memory', devices),
        ...(io === undefined ? [] : doorbellsOf(io, 'io', devices)),
      ],
      flash,
      ioeventfds: ioeventfdTargets,
      toggleableAliases,
      pamWindows: [],
      barSlots: undefined,
    },
    churn: config.churn,
    workload: config.workload,
    setIoeventfdsEnabled: (name, on) => setIoeventfdsEnabled(ioeventfdTargets, name, on),
    dispose: () => {
      hotplug?.pool.dispose();
      for (const mapping of mappings.values()) mapping.release();
    },
  };
}

/** The region for `r`; `mapping` and `device` were made from its config already. */
function createRegion(
  r: RegionConfig,
  mapping: HostMemMapping | undefined,
  device: DeviceModel | undefined,
  regionNamed: (name: string) => Region,
): Region {
  switch (r.type) {
    case 'Container':
      return Region.initContainerRegion(r.size, r.name);
    case 'Ram':
      return Region.initRamRegion(mapping!, r.name);
    case 'RamDevice':
      return Region.initRamDeviceRegion(mapping!, r.name);
    case 'IO':
      return Region.initIoRegion(r.size, device!, r.name);
    case 'RomDevice':
      return Region.initRomDeviceRegion(mapping!, device!, r.name);
    case 'Alias':
      return Region.initAliasRegion(regionNamed(r.target!), r.aliasOffset, r.size, r.name);
  }
}

/** The device's own ioeventfds (virtio doorbells) followed by those the file lists. */
function ioeventfdsOf(r: RegionConfig, device: DeviceModel | undefined): RegionIoEventFd[] {
  const own = device instanceof VirtioMmio ? device.ioeventfds() : [];
  return [
    ...own,
    ...r.ioeventfds.map((e) => ({
      addrRange: { base: e.offset, size: e.size },
      dataMatch: e.dataMatch,
      data: e.data,
      fd: new EventFd(),
    })),
  ];
}

/** Virtio queue areas must be guest RAM: a backend DMAs into them. */
function checkDmaAreas(
  config: MachineConfig,
  memory: AddressSpace,
  configs: ReadonlyMap<string, RegionConfig>,
): DmaArea[] {
  const out: DmaArea[] = [];
  for (const r of configs.values()) {
    if (r.device?.model !== 'virtio-mmio' || r.device.queue === undefined) continue;
    const { gpa, size } = r.device.queue;
    if (!memory.addressInMemory(gpa, size)) {
      throw new MachineConfigError(
        `${r.path}.device.queue.gpa`,
        `${hex(gpa)} + size ${hex(size)} is not guest RAM of machine "${config.name}"`,
      );
    }
    out.push({ device: r.name, gpa, size });
  }
  return out;
}
