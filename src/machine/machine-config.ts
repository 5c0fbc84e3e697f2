/**
 * The checked, normalised form of a machine description: what `parseMachineFile`
 * returns and `buildMachine` consumes. Every number is parsed, every default filled in,
 * every cross-reference known to resolve. Plain data only; nothing here builds regions.
 */
import type { RegionType } from '../core/types.js';
import type { DeviceConfig } from './devices/registry.js';

export interface MappingConfig {
  readonly name: string;
  readonly size: number;
  readonly readOnly: boolean;
  /** The byte every position holds before `content` is written (default 0). */
  readonly fill: number;
  /** Bytes written over the fill, in order: a firmware image's markers, a ROM signature. */
  readonly content: readonly MappingContentConfig[];
}

export interface MappingContentConfig {
  readonly offset: number;
  readonly bytes: readonly number[];
}

export interface IoeventfdConfig {
  /** Region-relative. */
  readonly offset: number;
  /** 0 (any width), 1, 2, 4 or 8. */
  readonly size: number;
  readonly data: bigint;
  readonly dataMatch: boolean;
}

export interface RegionConfig {
  /** Where the region was written (`memory.children[2]`), for errors raised later. */
  readonly path: string;
  readonly type: RegionType;
  readonly name: string;
  readonly size: number;
  readonly offset: number;
  readonly priority: number;
  readonly enabled: boolean;
  readonly children: readonly RegionConfig[];
  /** Alias only. */
  readonly target: string | undefined;
  readonly aliasOffset: number;
  /** Ram, RamDevice, RomDevice. */
  readonly mapping: string | undefined;
  /** IO, RomDevice. */
  readonly device: DeviceConfig | undefined;
  readonly ioeventfds: readonly IoeventfdConfig[];
}

export interface HotplugConfig {
  /** An empty Container of the memory tree whose slots take RAM blocks. */
  readonly container: string;
  readonly blockSize: number;
}

/**
 * PAM windows (the i440FX's Programmable Attribute Map, pam.ts): 13 aliases `pam0` to
 * `pam12` over 0xC0000-0xFFFFF into `target` at the same offsets, added to the memory
 * root at `priority`, off at reset. The `alias` churn kind switches these windows.
 */
export interface PamConfig {
  readonly target: string;
  readonly priority: number;
}

/**
 * A window of equal BAR slots in a Container of the memory tree (bar-window.ts): slot
 * `k` starts at `offset + k * slotSize` in the container. `bars` are children of the
 * container that sit in slots and may be moved between them (the `bar` churn kind).
 */
export interface BarWindowConfig {
  readonly container: string;
  readonly offset: number;
  readonly slotSize: number;
  readonly slots: number;
  readonly bars: readonly string[];
}

/** A stretch of guest RAM the workloads use: `size` bytes at `offset` in region `region`. */
export interface RamTargetConfig {
  readonly region: string;
  readonly offset: number;
  readonly size: number;
}

/**
 * What the workloads drive, when the file says (`targets`); each list left out is derived
 * from the built machine (every RAM range of the memory view; every device at a known
 * address, in file order).
 */
export interface TargetsConfig {
  readonly ram: readonly RamTargetConfig[] | undefined;
  /** Regions whose device the workloads probe there: a device's region or an alias of one. */
  readonly mmio: readonly string[] | undefined;
}

export interface ChurnConfig {
  /** Kind names, `'all'`, `'none'`, or a comma list, as `RunOptions.churn` takes them. */
  readonly kinds: readonly string[] | string | undefined;
  readonly rate: number | undefined;
}

export interface MachineConfig {
  readonly name: string;
  readonly memory: RegionConfig;
  readonly io: RegionConfig | undefined;
  /** Regions in no address space, reached only through aliases (file key `regions`). */
  readonly detached: readonly RegionConfig[];
  readonly mappings: ReadonlyMap<string, MappingConfig>;
  readonly machineRam: string | undefined;
  readonly hotplug: HotplugConfig | undefined;
  readonly pam: PamConfig | undefined;
  readonly barWindow: BarWindowConfig | undefined;
  readonly targets: TargetsConfig | undefined;
  /** Defaults for a run of this machine; the sim layer checks the kind names. */
  readonly churn: ChurnConfig | undefined;
  readonly workload: string | undefined;
  /**
   * Whether the hypervisor handles ioeventfds (StratoVirt's hyp_ioevtfd_enabled, SPEC 5):
   * a file's top-level `hypIoeventfd`; on when left out.
   */
  readonly hypIoeventfd?: boolean;
}
