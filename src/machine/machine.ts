/**
 * `Machine`: a built guest (address spaces, regions, mappings, devices) plus the lists the
 * workload and churn layers need to drive it. Built by `buildMachine` (from a machine
 * file) or `buildPcMachine` (the built-in `pc`). Types and small shared helpers only; the
 * builders live in build.ts and pc.ts.
 */
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import type { RegionIoEventFd } from '../core/types.js';
import type { EventFd } from '../host/event-fd.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { DeviceModel, DeviceModelName, DeviceProbe } from './devices/device.js';
import type { Pflash } from './devices/pflash.js';
import type { HotplugArea } from './hotplug.js';
import type { ChurnConfig } from './machine-config.js';

export type SpaceName = 'memory' | 'io';

export interface MachineDevice {
  /** The device's region name. */
  readonly name: string;
  readonly model: DeviceModelName;
  readonly device: DeviceModel;
  readonly region: Region;
  /** The tree the region sits in; `undefined` for a region only aliases show. */
  readonly space: SpaceName | undefined;
  /** Address of register 0 in `space` through containers, when `space` is set. */
  readonly base: number | undefined;
}

/** A stretch of guest RAM (GPA) a workload may read and write. */
export interface RamRange {
  readonly base: number;
  readonly size: number;
  /** The region the guest sees there (an alias or a Ram region). */
  readonly region: string;
}

/** A device register block and the accesses a workload may make to it. */
export interface MmioTarget {
  readonly device: string;
  readonly model: DeviceModelName;
  readonly space: SpaceName;
  readonly base: number;
  readonly size: number;
  readonly probes: readonly DeviceProbe[];
}

/**
 * A doorbell write that an ioeventfd swallows: `value` written as `size` bytes at `gpa`
 * (an I/O port when `space` is `io`; `size` 0 matches any width).
 */
export interface Doorbell {
  readonly device: string;
  readonly space: SpaceName;
  readonly gpa: number;
  readonly size: number;
  readonly value: bigint;
  readonly fd: EventFd;
}

/** Guest RAM a device backend DMAs into (kept out of `ramRanges`). */
export interface DmaArea {
  readonly device: string;
  readonly gpa: number;
  readonly size: number;
}

/** A flash ROM device: `base` is its GPA. */
export interface FlashTarget {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly region: Region;
  readonly device: Pflash;
}

/** Regions that carry ioeventfds, with the list they were built with (for toggling). */
export interface IoeventfdTarget {
  readonly region: Region;
  readonly ioeventfds: readonly RegionIoEventFd[];
}

/** The pc's PAM windows (see pc.ts). */
export interface PamWindow {
  readonly index: number;
  readonly base: number;
  readonly size: number;
  readonly region: Region;
}

/** Positions a device BAR may be moved to (see pc.ts `moveBar`). */
export interface BarSlots {
  readonly container: Region;
  /** GPA of the container's byte 0. */
  readonly containerBase: number;
  readonly slotSize: number;
  /** GPA of each slot. */
  readonly slots: readonly number[];
  /** Devices whose BAR lives in these slots. */
  readonly devices: readonly string[];
}

export interface MachineTargets {
  /** RAM that stays RAM whatever the churn does (minus DMA areas). */
  readonly ramRanges: readonly RamRange[];
  readonly dmaAreas: readonly DmaArea[];
  readonly mmio: readonly MmioTarget[];
  readonly doorbells: readonly Doorbell[];
  readonly flash: readonly FlashTarget[];
  readonly ioeventfds: readonly IoeventfdTarget[];
  /** Aliases the churn layer may switch on and off. */
  readonly toggleableAliases: readonly Region[];
  readonly pamWindows: readonly PamWindow[];
  readonly barSlots: BarSlots | undefined;
}

export interface Machine {
  readonly name: string;
  readonly memory: AddressSpace;
  readonly io: AddressSpace | undefined;
  /** Every region the machine was built with, by name (hotplugged blocks are in `hotplug`). */
  readonly regions: ReadonlyMap<string, Region>;
  readonly mappings: ReadonlyMap<string, HostMemMapping>;
  readonly devices: ReadonlyMap<string, MachineDevice>;
  readonly hotplug: HotplugArea | undefined;
  readonly targets: MachineTargets;
  /** Run defaults from the machine file, if any. */
  readonly churn: ChurnConfig | undefined;
  readonly workload: string | undefined;
  /**
   * Installs (`true`) or removes (`false`) the ioeventfds a region was built with: the
   * `ioeventfd` churn kind. Removed doorbells become MMIO exits.
   */
  setIoeventfdsEnabled(regionName: string, on: boolean): void;
  /**
   * Gives every mapping's host window back. Call once no reader can touch the machine's
   * memory (after the simulation and its last grace period).
   */
  dispose(): void;
}
