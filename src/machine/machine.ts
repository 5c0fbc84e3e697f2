/**
 * `Machine`: a built guest (address spaces, regions, mappings, devices), the lists the
 * workload layer drives, and one churn method per churn kind (churn-kind.ts), which the
 * simulation calls by dispatch on the kind. Built by `buildMachine` from a
 * `MachineConfig`: a machine file's, or the built-in `pc`'s (pc-config.ts). Types only;
 * the builder is build.ts and the churn methods are churn-methods.ts.
 */
import type { AddressSpace } from '../core/address-space.js';
import type { Region } from '../core/region.js';
import type { RegionIoEventFd } from '../core/types.js';
import type { EventFd } from '../host/event-fd.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { BarSlots, BarWindow } from './bar-window.js';
import type { DeviceModel, DeviceModelName, DeviceProbe } from './devices/device.js';
import type { Pflash } from './devices/pflash.js';
import type { HotplugArea } from './hotplug.js';
import type { ChurnConfig } from './machine-config.js';
import type { PamWindow, PamWindows } from './pam.js';

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

export interface MachineTargets {
  /** RAM that stays RAM whatever the churn does (minus DMA areas). */
  readonly ramRanges: readonly RamRange[];
  readonly dmaAreas: readonly DmaArea[];
  readonly mmio: readonly MmioTarget[];
  readonly doorbells: readonly Doorbell[];
  readonly flash: readonly FlashTarget[];
  readonly ioeventfds: readonly IoeventfdTarget[];
  /** Aliases the `alias` churn kind switches: the PAM windows if any, else every alias. */
  readonly toggleableAliases: readonly Region[];
  readonly pamWindows: readonly PamWindow[];
  readonly barSlots: BarSlots | undefined;
}

/** What a churn method needs of the publisher: run code once a mapping is unreachable. */
export interface ReclaimNotifier {
  whenReclaimed(mapping: HostMemMapping, fn: () => void): void;
}

/**
 * One method per churn kind. Each checks its arguments, makes one topology change (one
 * published generation) through the machine's own objects (hotplug area, BAR window, PAM
 * windows, flash, doorbell lists), and throws the `AddressSpaceError` of a refused change
 * having changed nothing.
 */
export interface MachineChurnMethods {
  /**
   * `hotplug`: plugs a zero-filled block into hotplug slot `slot`, or unplugs it; an
   * unplugged block's mapping goes back to the pool once `reclaim` says no reader can
   * reach it (SPEC 8).
   */
  setHotplugSlot(slot: number, plugged: boolean, reclaim: ReclaimNotifier): void;
  /** `bar`: moves the BAR of `device` to slot `slot` of the BAR window, which must be free. */
  moveBar(device: string, slot: number): void;
  /** `romd`: switches flash `name` between ROM mode (romd on) and MMIO mode. */
  setFlashRomd(name: string, romd: boolean): void;
  /** `alias`: switches one of the `toggleableAliases` on or off (a PAM window: RAM or PCI). */
  setAliasEnabled(name: string, enabled: boolean): void;
  /**
   * `ioeventfd`: installs (`true`) or removes (`false`) the ioeventfds a region was built
   * with. Removed doorbells become MMIO exits.
   */
  setIoeventfdsEnabled(regionName: string, on: boolean): void;
}

/**
 * A built machine: its `memory` and optional `io` address spaces, regions by name,
 * mappings, devices, the board features and the churn methods (one per churn kind), and
 * the RAM and device targets the workloads drive. `dispose()` gives its memory back.
 */
export interface Machine extends MachineChurnMethods {
  readonly name: string;
  readonly memory: AddressSpace;
  readonly io: AddressSpace | undefined;
  /** Every region the machine was built with, by name (hotplugged blocks are in `hotplug`). */
  readonly regions: ReadonlyMap<string, Region>;
  readonly mappings: ReadonlyMap<string, HostMemMapping>;
  readonly devices: ReadonlyMap<string, MachineDevice>;
  readonly hotplug: HotplugArea | undefined;
  /** The PAM windows (a machine file's `pam`). */
  readonly pam: PamWindows | undefined;
  /** The BAR window (a machine file's `barWindow`). */
  readonly bars: BarWindow | undefined;
  readonly targets: MachineTargets;
  /** Run defaults from the machine file, if any. */
  readonly churn: ChurnConfig | undefined;
  readonly workload: string | undefined;
  /**
   * Gives every mapping's host window back, hotplugged blocks included. Call once no
   * reader can touch the machine's memory (after the simulation and its last grace period).
   */
  dispose(): void;
}
