/**
 * The built-in device models a machine file can name, their options, and the one place
 * that turns a checked device description into a device instance.
 *
 * In a machine file, `device` is a model name (`"uart16550"`) or an object with `model`
 * and that model's options:
 * | model        | region    | window  | options                                               |
 * |--------------|-----------|---------|-------------------------------------------------------|
 * | uart16550    | IO        | 8       | outputLimit                                           |
 * | virtio-mmio  | IO        | 0x200   | deviceId (required), vendorId, numQueues (1-8), queueNumMax, deviceFeatures, configSize, queue {gpa, size} |
 * | pflash       | RomDevice | mapping | blockSize (divides the flash size), readOnly          |
 * An IO region's size defaults to its device's window and must equal it when given.
 * This module validates and constructs; it never places regions.
 */
import { z } from 'zod';
import type { RegionType } from '../../core/types.js';
import type { HostMemMapping } from '../../host/mapping.js';
import { parseWithSchema } from '../config-schema.js';
import { MachineConfigError } from '../errors.js';
import { parseSize, parseU64 } from '../sizes.js';
import { DEVICE_MODEL_NAMES, type DeviceModel, type DeviceModelName } from './device.js';
import { Pflash } from './pflash.js';
import { devicePlugin, type LoadedDevicePlugin, PluginDevice } from './plugin.js';
import { UART_REGISTER_COUNT, Uart16550 } from './uart16550.js';
import { VIRTIO_MMIO_SIZE, VirtioMmio } from './virtio-mmio.js';

export type DeviceConfig =
  | {
      model: 'module';
      /** The module text as the file wrote it, and what it loaded. */
      module: string;
      plugin: LoadedDevicePlugin;
      /** The `device` object's other fields, for `create(options)`. */
      options: Record<string, unknown>;
    }
  | { model: 'uart16550'; outputLimit?: number }
  | { model: 'pflash'; blockSize?: number; readOnly?: boolean }
  | {
      model: 'virtio-mmio';
      deviceId: number;
      vendorId?: number;
      numQueues?: number;
      queueNumMax?: number;
      deviceFeatures?: bigint;
      configSize?: number;
      queue?: { gpa: number; size: number };
    };

/** The region type each model needs, and its register window (undefined: the mapping's size). */
export const DEVICE_REGION: Readonly<
  Record<DeviceModelName, { type: RegionType; window: number | undefined }>
> = {
  uart16550: { type: 'IO', window: UART_REGISTER_COUNT },
  'virtio-mmio': { type: 'IO', window: VIRTIO_MMIO_SIZE },
  pflash: { type: 'RomDevice', window: undefined },
  module: { type: 'IO', window: undefined },
};

const u32 = z.int().min(0).max(0xffff_ffff);
const uartOptions = z.strictObject({
  model: z.literal('uart16550'),
  outputLimit: z.int().min(0).optional(),
});
const pflashOptions = z.strictObject({
  model: z.literal('pflash'),
  blockSize: z.unknown().optional(),
  readOnly: z.boolean().optional(),
});
const virtioOptions = z.strictObject({
  model: z.literal('virtio-mmio'),
  deviceId: u32,
  vendorId: u32.optional(),
  numQueues: z.int().min(1).max(8).optional(),
  queueNumMax: z.int().min(1).max(32768).optional(),
  deviceFeatures: z.unknown().optional(),
  configSize: z.int().min(0).max(0x100).optional(),
  queue: z.strictObject({ gpa: z.unknown(), size: z.unknown() }).optional(),
});

/** Checks a file's `device` field (at `path`) for a region of type `regionType`. */
export function parseDeviceConfig(value: unknown, p: string, regionType: RegionType): DeviceConfig {
  const moduleText = (value as { module?: unknown } | null)?.module;
  if (typeof value === 'object' && value !== null && moduleText !== undefined) {
    return parseModuleDevice(value as Record<string, unknown>, p, regionType);
  }
  const withModel = typeof value === 'string' ? { model: value } : value;
  const model = (withModel as { model?: unknown } | null)?.model;
  if (typeof withModel !== 'object' || withModel === null || Array.isArray(withModel)) {
    throw new MachineConfigError(p, 'must be a device model name or an object with "model"');
  }
  if (!DEVICE_MODEL_NAMES.includes(model as DeviceModelName)) {
    const where = typeof value === 'string' ? p : `${p}.model`;
    throw new MachineConfigError(
      where,
      `must be one of ${DEVICE_MODEL_NAMES.map((n) => JSON.stringify(n)).join(', ')}, got ${JSON.stringify(model) ?? 'nothing'}`,
    );
  }
  const name = model as DeviceModelName;
  if (DEVICE_REGION[name].type !== regionType) {
    throw new MachineConfigError(
      p,
      `${name} needs a ${DEVICE_REGION[name].type} region, not ${regionType}`,
    );
  }
  switch (name) {
    case 'module': // not in DEVICE_MODEL_NAMES: a module device has a `module` field
      throw new MachineConfigError(`${p}.module`, 'is required for a device module');
    case 'uart16550':
      return parseWithSchema(uartOptions, withModel, p);
    case 'pflash': {
      const raw = parseWithSchema(pflashOptions, withModel, p);
      return {
        model: 'pflash',
        ...(raw.blockSize !== undefined && {
          blockSize: parseSize(raw.blockSize, `${p}.blockSize`, { positive: true }),
        }),
        ...(raw.readOnly !== undefined && { readOnly: raw.readOnly }),
      };
    }
    case 'virtio-mmio': {
      const { deviceFeatures, queue, ...rest } = parseWithSchema(virtioOptions, withModel, p);
      return {
        ...rest,
        ...(deviceFeatures !== undefined && {
          deviceFeatures: parseU64(deviceFeatures, `${p}.deviceFeatures`),
        }),
        ...(queue !== undefined && {
          queue: {
            gpa: parseSize(queue.gpa, `${p}.queue.gpa`),
            size: parseSize(queue.size, `${p}.queue.size`, { positive: true }),
          },
        }),
      };
    }
  }
}

/** `{ "module": "./file.js", ...options }`: a device plug-in on an IO region. */
function parseModuleDevice(
  value: Record<string, unknown>,
  p: string,
  regionType: RegionType,
): DeviceConfig {
  const { module, model, ...options } = value;
  if (typeof module !== 'string' || module.trim() === '') {
    throw new MachineConfigError(`${p}.module`, 'must be the path of a device module (./file.js)');
  }
  if (model !== undefined) {
    throw new MachineConfigError(`${p}.model`, 'give a built-in model or a module, not both');
  }
  if (regionType !== 'IO') {
    throw new MachineConfigError(p, `a device module needs an IO region, not ${regionType}`);
  }
  return { model: 'module', module, plugin: devicePlugin(module, `${p}.module`), options };
}

/** The register window of a checked device (undefined: the mapping's size). */
export function deviceWindow(config: DeviceConfig): number | undefined {
  return config.model === 'module'
    ? config.plugin.definition.size
    : DEVICE_REGION[config.model].window;
}

/** Constructs the device; `mapping` is the region's mapping (pflash). */
export function createDevice(config: DeviceConfig, mapping?: HostMemMapping): DeviceModel {
  switch (config.model) {
    case 'module':
      return new PluginDevice(
        config.plugin.definition,
        config.options,
        `device.module ${config.module}`,
      );
    case 'uart16550':
      return new Uart16550(config);
    case 'pflash':
      if (mapping === undefined) throw new MachineConfigError('device', 'pflash needs a mapping');
      return new Pflash(mapping, config);
    case 'virtio-mmio':
      return new VirtioMmio(config);
  }
}
