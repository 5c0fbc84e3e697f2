/**
 * `buildMachine(config)`: turns a checked `MachineConfig` (a machine file's, or the
 * built-in `pc`'s from pc-config.ts) into a live `Machine`: mappings with their initial
 * content, regions, devices, ioeventfds, the board features (hotplug area, BAR window,
 * PAM windows) and the `memory` / `io` address spaces, plus the lists the workload layer
 * uses (targets.ts) and the churn methods (churn-methods.ts). The one builder: there is
 * no other way to a `Machine`.
 *
 * Children are added in file order (a BAR through its window, which checks its slot);
 * among siblings of equal priority the one listed later renders first and wins (SPEC 3:
 * the child added last wins). PAM windows are added to the memory root after its listed
 * children. Everything is put together before the address spaces exist, so building
 * publishes one view per space. If anything fails, every mapping created so far is
 * released and the error is thrown: no partial machine is left behind. This module never
 * runs a simulation.
 */

import { hex } from '../base/errors.js';
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import type { RegionIoEventFd } from '../core/types.js';
import { EventFd } from '../host/event-fd.js';
import { HostMemMapping } from '../host/mapping.js';
import { BarWindow } from './bar-window.js';
import { churnMethods } from './churn-methods.js';
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
import type { MachineConfig, MappingConfig, RegionConfig } from './machine-config.js';
import { PamWindows } from './pam.js';
import {
  configuredMmioTargets,
  configuredRamRanges,
  doorbellsOf,
  mmioTargetsOf,
  type Placement,
  ramRangesOf,
  subtractAreas,
} from './targets.js';

/** How a machine is built beyond its config: what the CLI's flags override. */
export interface BuildOptions {
  /** Overrides the config's `hypIoeventfd` (`run --no-hyp-ioeventfd` gives false). */
  readonly hypIoeventfd?: boolean;
}

export function buildMachine(config: MachineConfig, options: BuildOptions = {}): Machine {
  const mappings = new Map<string, HostMemMapping>();
  try {
    for (const m of config.mappings.values()) mappings.set(m.name, createMapping(m));
    return assemble(config, mappings, options);
  } catch (error) {
    for (const mapping of mappings.values()) mapping.release();
    throw error;
  }
}

function assemble(
  config: MachineConfig,
  mappings: ReadonlyMap<string, HostMemMapping>,
  options: BuildOptions,
): Machine {
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
  const bars = barWindowOf(config, regions, placements);
  for (const r of configs.values()) {
    const container = regions.get(r.name)!;
    for (const child of r.children) {
      const region = regions.get(child.name)!;
      region.setPriority(child.priority);
      region.setEnabled(child.enabled);
      if (bars?.hole === container && config.barWindow!.bars.includes(child.name)) {
        bars.place(region, bars.slotAt(child.offset));
      } else {
        container.addSubregion(region, child.offset);
      }
    }
  }
  let pam: PamWindows | undefined;
  if (config.pam !== undefined) {
    const root = regions.get(config.memory.name)!;
    pam = new PamWindows(regions.get(config.pam.target)!, root, config.pam.priority);
    for (const w of pam.windows) regions.set(w.region.name, w.region);
  }

  const machineRam = config.machineRam === undefined ? undefined : regions.get(config.machineRam);
  const memory = new AddressSpace(regions.get(config.memory.name)!, 'memory', machineRam);
  const io =
    config.io === undefined ? undefined : new AddressSpace(regions.get(config.io.name)!, 'io');
  // Machines set hyp_ioevtfd_enabled when they are built (SPEC 5): on unless told otherwise.
  const hypIoeventfd = options.hypIoeventfd ?? config.hypIoeventfd ?? true;
  memory.setIoevtfdEnabled(hypIoeventfd);
  io?.setIoevtfdEnabled(hypIoeventfd);
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
  const toggleableAliases =
    pam === undefined
      ? [...regions.values()].filter((r) => r.regionType === 'Alias')
      : pam.windows.map((w) => w.region);
  const ram = config.targets?.ram;
  const mmio = config.targets?.mmio;
  return {
    name: config.name,
    memory,
    io,
    regions,
    mappings,
    devices,
    hotplug,
    pam,
    bars,
    targets: {
      ramRanges:
        ram === undefined
          ? ramRangesOf(memory, dmaAreas)
          : subtractAreas(configuredRamRanges(ram, memory, placements), dmaAreas),
      dmaAreas,
      mmio:
        mmio === undefined
          ? mmioTargetsOf(devices)
          : configuredMmioTargets(mmio, configs, placements, devices),
      doorbells: [
        ...doorbellsOf(memory, 'memory', devices),
        ...(io === undefined ? [] : doorbellsOf(io, 'io', devices)),
      ],
      flash,
      ioeventfds: ioeventfdTargets,
      toggleableAliases,
      pamWindows: pam?.windows ?? [],
      barSlots: bars?.describe(),
    },
    churn: config.churn,
    workload: config.workload,
    ...churnMethods({
      memory,
      hotplug,
      bars,
      pam,
      flash,
      ioeventfds: ioeventfdTargets,
      toggleableAliases,
    }),
    dispose: () => {
      hotplug?.dispose();
      for (const mapping of mappings.values()) mapping.release();
    },
  };
}

/** A mapping filled with its `fill` byte, then each `content` entry written over it. */
function createMapping(m: MappingConfig): HostMemMapping {
  const mapping = HostMemMapping.create({ size: m.size, name: m.name, readOnly: m.readOnly });
  try {
    if (m.fill !== 0) mapping.bytes.fill(m.fill);
    for (const c of m.content) mapping.bytes.set(c.bytes, c.offset);
  } catch (error) {
    mapping.release();
    throw error;
  }
  return mapping;
}

/** The BAR window of a machine file's `barWindow`, empty: its BARs are placed as children. */
function barWindowOf(
  config: MachineConfig,
  regions: ReadonlyMap<string, Region>,
  placements: ReadonlyMap<string, Placement>,
): BarWindow | undefined {
  const w = config.barWindow;
  if (w === undefined) return undefined;
  const holeBase = placements.get(w.container)!.base;
  return new BarWindow(
    regions.get(w.container)!,
    holeBase,
    holeBase + w.offset,
    w.slotSize,
    w.slots,
  );
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
