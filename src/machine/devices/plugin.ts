/**
 * Device models from user code (SPEC 9): a machine file's IO region may say
 * `"device": { "module": "./counter-device.js", ...options }`. The module's default
 * export is a `DeviceDefinition`; the machine builder makes one `DeviceInstance` per
 * region from the options and puts it behind the region's `RegionOps`, like a built-in
 * model. Device code runs in the owner thread only (MMIO exits are served there), so the
 * module is imported once, by `loadMachineFile`, before the file is checked.
 *
 * Paths are taken relative to the machine file's directory. Parsing a machine file is
 * synchronous, so the loaded definitions are handed to it for the duration of one parse
 * (`withDevicePlugins`).
 */
import { dirname } from 'node:path';
import { importDefault, moduleUrl } from '../../base/plugin-module.js';
import { MachineConfigError } from '../errors.js';
import type { DeviceModel, DeviceProbe } from './device.js';

/**
 * One device: a register window that guest accesses reach through MMIO exits. Offsets
 * are relative to the start of the device's region; `data` is little-endian, 1 to 8
 * bytes.
 */
export interface DeviceInstance {
  /**
   * A guest read of `data.length` bytes at `offset`: fill `data`. Return `false` to refuse
   * the access (the vCPU gets an `IoAccess` error). Anything it throws is a device failure:
   * the run lists it and exits 3.
   */
  read(data: Uint8Array, offset: number): boolean;
  /** A guest write of `data` at `offset`. Return `false` to refuse it, as for `read`. */
  write(data: Uint8Array, offset: number): boolean;
  /**
   * Accesses a workload may make at any time, from any number of vCPUs, without
   * disturbing the device (the `mmio` and `mixed` workloads use them). Default: none.
   */
  probes?(): readonly DeviceProbe[];
}

/**
 * A device plug-in: the default export of a module named by a machine file's
 * `"device": { "module": "./file.js", ... }` (on an `IO` region).
 *
 * Errors: a module that cannot be imported, or whose export lacks `name`, `size` or
 * `create`, fails the machine file with one line naming the field (`memory.children[2]
 * .device.module: ...`, exit 2 from the CLI); `create` throwing does the same; a read or
 * write that throws during a run is a device failure (listed, exit 3).
 */
export interface DeviceDefinition {
  /** Short name for reports and `mtree` (`counter`). */
  readonly name: string;
  /** One line saying what it models. */
  readonly description?: string;
  /** Bytes of the register window: the size of the device's IO region (1 to 2**32). */
  readonly size: number;
  /**
   * Builds one device from the machine file's `device` object without `module` (the
   * options are the file's JSON values, unchecked: check them and throw on bad ones).
   */
  create(options: Readonly<Record<string, unknown>>): DeviceInstance;
}

/** A loaded device module: where it came from and its definition. */
export interface LoadedDevicePlugin {
  readonly url: string;
  readonly definition: DeviceDefinition;
}

/** Checks that a module's default export is a `DeviceDefinition`; `where` names the field. */
export function checkDeviceDefinition(value: unknown, where: string): DeviceDefinition {
  const d = value as Partial<DeviceDefinition> | null;
  if (typeof d !== 'object' || d === null) {
    throw new MachineConfigError(where, 'the module must export default { name, size, create }');
  }
  if (typeof d.name !== 'string' || d.name.trim() === '') {
    throw new MachineConfigError(where, "the module's default export needs a name");
  }
  if (typeof d.size !== 'number' || !Number.isInteger(d.size) || d.size < 1 || d.size > 2 ** 32) {
    throw new MachineConfigError(
      where,
      "the module's default export needs a size: its register window in bytes (1 to 2**32)",
    );
  }
  if (typeof d.create !== 'function') {
    throw new MachineConfigError(where, "the module's default export needs create(options)");
  }
  return d as DeviceDefinition;
}

/**
 * Imports every device module a machine file names (any `device` object with a string
 * `module`, anywhere in the file), relative to the file's directory. Keyed by the module
 * text as written.
 */
export async function loadDevicePlugins(
  raw: unknown,
  machineFile: string,
): Promise<Map<string, LoadedDevicePlugin>> {
  const found = new Map<string, string>(); // module text → field path
  collectModules(raw, '', found);
  const out = new Map<string, LoadedDevicePlugin>();
  for (const [module, path] of found) {
    const url = moduleUrl(module, dirname(machineFile));
    let exported: unknown;
    try {
      exported = await importDefault(url, 'device');
    } catch (error) {
      throw new MachineConfigError(`${path}.module`, (error as Error).message, { cause: error });
    }
    out.set(module, { url, definition: checkDeviceDefinition(exported, `${path}.module`) });
  }
  return out;
}

function collectModules(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collectModules(v, `${path}[${i}]`, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    const module = (child as { module?: unknown } | null)?.module;
    if (key === 'device' && typeof module === 'string' && !out.has(module)) out.set(module, at);
    collectModules(child, at, out);
  }
}

let current: ReadonlyMap<string, LoadedDevicePlugin> = new Map();

/** Runs `parse` (synchronous) with `plugins` as the device modules a file may name. */
export function withDevicePlugins<T>(
  plugins: ReadonlyMap<string, LoadedDevicePlugin>,
  parse: () => T,
): T {
  const before = current;
  current = plugins;
  try {
    return parse();
  } finally {
    current = before;
  }
}

/** The loaded module a file's `device.module` names; throws naming the field if none. */
export function devicePlugin(module: string, where: string): LoadedDevicePlugin {
  const plugin = current.get(module);
  if (plugin === undefined) {
    throw new MachineConfigError(
      where,
      `device module ${JSON.stringify(module)} was not loaded (machine files with device modules are read with loadMachineFile)`,
    );
  }
  return plugin;
}

/** A device plug-in instance behind a region's `RegionOps`. */
export class PluginDevice implements DeviceModel {
  readonly model = 'module';
  readonly size: number;
  readonly name: string;
  private readonly instance: DeviceInstance;

  constructor(
    definition: DeviceDefinition,
    options: Readonly<Record<string, unknown>>,
    where: string,
  ) {
    this.size = definition.size;
    this.name = definition.name;
    let instance: unknown;
    try {
      instance = definition.create(options);
    } catch (error) {
      throw new MachineConfigError(
        where,
        `${definition.name}: create() threw: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const i = instance as Partial<DeviceInstance> | null;
    if (
      typeof i !== 'object' ||
      i === null ||
      typeof i.read !== 'function' ||
      typeof i.write !== 'function'
    ) {
      throw new MachineConfigError(
        where,
        `${definition.name}: create() must return { read, write }`,
      );
    }
    this.instance = i as DeviceInstance;
  }

  /**
   * The first exception a read or write threw (with how many did), or `undefined`. The
   * access itself fails with `IoAccess` as any device error does; the simulation lists
   * this as a failure of the run, so a broken plug-in never ends in exit 0.
   */
  get failure(): string | undefined {
    if (this.thrown === 0) return undefined;
    return `${this.firstError} (${this.thrown} access${this.thrown === 1 ? '' : 'es'} threw)`;
  }

  private thrown = 0;
  private firstError = '';

  read(data: Uint8Array, _regionBase: number, offset: number): boolean {
    try {
      return this.instance.read(data, offset);
    } catch (error) {
      throw this.threw(error, 'read', offset);
    }
  }

  write(data: Uint8Array, _regionBase: number, offset: number): boolean {
    try {
      return this.instance.write(data, offset);
    } catch (error) {
      throw this.threw(error, 'write', offset);
    }
  }

  private threw(error: unknown, what: string, offset: number): unknown {
    if (this.thrown++ === 0) {
      const message = error instanceof Error ? error.message : String(error);
      this.firstError = `${what} at offset 0x${offset.toString(16)} threw: ${message}`;
    }
    return error;
  }

  probes(): readonly DeviceProbe[] {
    return this.instance.probes?.() ?? [];
  }
}
