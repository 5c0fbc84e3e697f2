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
  /** Defaults for a run of this machine; the sim layer checks the kind names. */
  readonly churn: ChurnConfig | undefined;
  readonly workload: string | undefined;
}
