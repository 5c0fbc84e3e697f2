/**
 * Reading a machine file (SPEC 9): JSON text or an already parsed object in, a checked
 * `MachineConfig` out, or one `MachineConfigError` whose message is a single line
 * `path: problem` (`memory.children[3].size: must be a positive integer`).
 *
 * Order of checks: JSON syntax, then the shape (config-schema.ts), then each region in
 * file order (its own fields), then the relations between fields (config-checks.ts).
 * The first problem found is the one reported. Nothing is allocated here: a file that
 * fails leaves nothing behind. Building regions from the result is build.ts's job.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { checkedAdd } from '../base/address.js';
import { hex } from '../base/errors.js';
import type { RegionType } from '../core/types.js';
import { MAX_MAPPING_SIZE } from '../host/window.js';
import { checkRelations } from './config-checks.js';
import {
  parseBarWindow,
  parseContent,
  parseFill,
  parsePam,
  parseTargets,
} from './config-features.js';
import {
  describeInput,
  machineFileSchema,
  parseWithSchema,
  type RawMachineFile,
  type RawRegion,
} from './config-schema.js';
import { RAM_BLOCK_SIZE } from './devices/ram-block-pool.js';
import { DEVICE_REGION, parseDeviceConfig } from './devices/registry.js';
import { MachineConfigError } from './errors.js';
import type {
  ChurnConfig,
  HotplugConfig,
  IoeventfdConfig,
  MachineConfig,
  MappingConfig,
  RegionConfig,
} from './machine-config.js';
import { parseSize, parseU64 } from './sizes.js';

const MAPPED_TYPES: readonly RegionType[] = ['Ram', 'RamDevice', 'RomDevice'];
const IOEVENTFD_SIZES = [0, 1, 2, 4, 8];
const DEFAULT_MACHINE_NAME = 'machine';

/** Checks a machine file given as JSON text or as the parsed object. */
export function parseMachineFile(source: string | object, fallbackName?: string): MachineConfig {
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      throw new MachineConfigError('', `not valid JSON: ${detail}`, { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MachineConfigError(
      '',
      `a machine file must be a JSON object, got ${describeInput(value)}`,
    );
  }
  const raw = parseWithSchema(machineFileSchema, value);
  const mappings = parseMappings(raw.mappings ?? {});
  const memory = parseRegion(raw.memory, 'memory', mappings, true);
  const io = raw.io === undefined ? undefined : parseRegion(raw.io, 'io', mappings, true);
  const detached = (raw.regions ?? []).map((r, i) =>
    parseRegion(r, `regions[${i}]`, mappings, false),
  );
  const config: MachineConfig = {
    name: raw.name ?? fallbackName ?? DEFAULT_MACHINE_NAME,
    memory,
    io,
    detached,
    mappings,
    machineRam: raw.machineRam,
    hotplug:
      raw.hotplug === undefined
        ? undefined
        : ({
            container: raw.hotplug.container,
            blockSize:
              raw.hotplug.blockSize === undefined
                ? RAM_BLOCK_SIZE
                : parseSize(raw.hotplug.blockSize, 'hotplug.blockSize', { positive: true }),
          } satisfies HotplugConfig),
    churn: raw.churn === undefined ? undefined : normaliseChurn(raw.churn),
    workload: raw.workload,
    hypIoeventfd: raw.hypIoeventfd,
    pam: raw.pam === undefined ? undefined : parsePam(raw.pam),
    barWindow: raw.barWindow === undefined ? undefined : parseBarWindow(raw.barWindow),
    targets: raw.targets === undefined ? undefined : parseTargets(raw.targets),
  };
  checkRelations(config);
  return config;
}

/** Reads and checks a machine file; the machine is named after the file unless it says. */
export async function loadMachineFile(path: string): Promise<MachineConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'read error';
    throw new MachineConfigError('', `cannot read machine file ${path}: ${code}`, { cause });
  }
  return parseMachineFile(text, basename(path, extname(path)));
}

function parseMappings(raw: NonNullable<RawMachineFile['mappings']>): Map<string, MappingConfig> {
  const out = new Map<string, MappingConfig>();
  for (const [name, entry] of Object.entries(raw)) {
    const options = typeof entry === 'object' ? entry : undefined;
    const path = options === undefined ? `mappings.${name}` : `mappings.${name}.size`;
    const size = parseSize(options === undefined ? entry : options.size, path, {
      positive: true,
    });
    if (size > MAX_MAPPING_SIZE) {
      throw new MachineConfigError(path, `must be at most 4 GiB (one mapping), got ${hex(size)}`);
    }
    out.set(name, {
      name,
      size,
      readOnly: options?.readOnly ?? false,
      fill: parseFill(options?.fill, `mappings.${name}.fill`),
      content: parseContent(options?.content, `mappings.${name}.content`, size),
    });
  }
  return out;
}

function parseRegion(
  raw: RawRegion,
  path: string,
  mappings: ReadonlyMap<string, MappingConfig>,
  isRoot: boolean,
): RegionConfig {
  const type = raw.type;
  refuseField(
    raw.children,
    type === 'Container',
    path,
    'children',
    'only a Container has children',
  );
  refuseField(raw.target, type === 'Alias', path, 'target', 'only an Alias has a target');
  refuseField(
    raw.aliasOffset,
    type === 'Alias',
    path,
    'aliasOffset',
    'only an Alias has an aliasOffset',
  );
  refuseField(
    raw.mapping,
    MAPPED_TYPES.includes(type),
    path,
    'mapping',
    'only Ram, RamDevice and RomDevice regions have a mapping',
  );
  refuseField(
    raw.device,
    type === 'IO' || type === 'RomDevice',
    path,
    'device',
    'only IO and RomDevice regions have a device',
  );
  refuseField(
    raw.ioeventfds,
    type === 'IO',
    path,
    'ioeventfds',
    'only an IO region takes ioeventfds',
  );
  if (isRoot && type !== 'Container') {
    throw new MachineConfigError(
      `${path}.type`,
      `the root region must be a Container, got ${type}`,
    );
  }
  const offset = raw.offset === undefined ? 0 : parseSize(raw.offset, `${path}.offset`);
  if (isRoot && offset !== 0) {
    throw new MachineConfigError(`${path}.offset`, 'a root region sits at 0');
  }
  if (type === 'Alias' && raw.target === undefined) {
    throw new MachineConfigError(`${path}.target`, 'is required for an Alias');
  }
  const mapping = MAPPED_TYPES.includes(type) ? requireMapping(raw, path, mappings) : undefined;
  const device =
    type === 'IO' || type === 'RomDevice'
      ? raw.device === undefined
        ? missing(
            `${path}.device`,
            `is required for a${type === 'IO' ? 'n IO' : ' RomDevice'} region`,
          )
        : parseDeviceConfig(raw.device, `${path}.device`, type)
      : undefined;
  const size = regionSize(
    raw,
    path,
    mapping,
    device === undefined ? undefined : DEVICE_REGION[device.model].window,
  );
  const children = (raw.children ?? []).map((child, i) =>
    parseRegion(child, `${path}.children[${i}]`, mappings, false),
  );
  return {
    path,
    type,
    name: raw.name,
    size,
    offset,
    priority: raw.priority ?? 0,
    enabled: raw.enabled ?? true,
    children,
    target: raw.target,
    aliasOffset:
      raw.aliasOffset === undefined ? 0 : parseSize(raw.aliasOffset, `${path}.aliasOffset`),
    mapping: mapping?.name,
    device,
    ioeventfds: (raw.ioeventfds ?? []).map((e, i) =>
      parseIoeventfd(e, `${path}.ioeventfds[${i}]`, size),
    ),
  };
}

/** The region's size: given, or the mapping's, or the device window's; they must agree. */
function regionSize(
  raw: RawRegion,
  path: string,
  mapping: MappingConfig | undefined,
  deviceWindow: number | undefined,
): number {
  const implied = mapping?.size ?? deviceWindow;
  if (raw.size === undefined) {
    if (implied === undefined) throw new MachineConfigError(`${path}.size`, 'is required');
    return implied;
  }
  const size = parseSize(raw.size, `${path}.size`, { positive: true });
  if (mapping !== undefined && size !== mapping.size) {
    throw new MachineConfigError(
      `${path}.size`,
      `must equal the size of mapping "${mapping.name}" (${hex(mapping.size)}), got ${hex(size)}`,
    );
  }
  if (mapping === undefined && deviceWindow !== undefined && size !== deviceWindow) {
    throw new MachineConfigError(
      `${path}.size`,
      `must equal the device's register window (${hex(deviceWindow)}), got ${hex(size)}`,
    );
  }
  return size;
}

function requireMapping(
  raw: RawRegion,
  path: string,
  mappings: ReadonlyMap<string, MappingConfig>,
): MappingConfig {
  if (raw.mapping === undefined) {
    throw new MachineConfigError(`${path}.mapping`, `is required for a ${raw.type} region`);
  }
  const mapping = mappings.get(raw.mapping);
  if (mapping === undefined) {
    throw new MachineConfigError(
      `${path}.mapping`,
      `no mapping named "${raw.mapping}" in mappings`,
    );
  }
  return mapping;
}

function parseIoeventfd(
  raw: { offset: unknown; size: unknown; data?: unknown; dataMatch?: boolean | undefined },
  path: string,
  regionSize: number,
): IoeventfdConfig {
  const offset = parseSize(raw.offset, `${path}.offset`);
  const size = parseSize(raw.size, `${path}.size`);
  if (!IOEVENTFD_SIZES.includes(size)) {
    throw new MachineConfigError(
      `${path}.size`,
      `must be 0 (any width), 1, 2, 4 or 8, got ${size}`,
    );
  }
  const end = checkedAdd(offset, size);
  if (end === undefined || end > regionSize || offset >= regionSize) {
    throw new MachineConfigError(
      `${path}.offset`,
      `${hex(offset)} + size ${hex(size)} passes the end of the region (size ${hex(regionSize)})`,
    );
  }
  const dataMatch = raw.dataMatch ?? raw.data !== undefined;
  if (dataMatch && raw.data === undefined) {
    throw new MachineConfigError(`${path}.data`, 'is required when dataMatch is true');
  }
  const data = raw.data === undefined ? 0n : parseU64(raw.data, `${path}.data`);
  if (size > 0 && data >> BigInt(size * 8) !== 0n) {
    throw new MachineConfigError(`${path}.data`, `${hex(data)} does not fit in ${size} byte(s)`);
  }
  return { offset, size, data, dataMatch };
}

function normaliseChurn(
  raw: NonNullable<ReturnType<typeof machineFileSchema.parse>['churn']>,
): ChurnConfig {
  if (typeof raw === 'string' || Array.isArray(raw)) return { kinds: raw, rate: undefined };
  return { kinds: raw.kinds, rate: raw.rate };
}

function refuseField(
  value: unknown,
  allowed: boolean,
  path: string,
  field: string,
  problem: string,
): void {
  if (value !== undefined && !allowed) throw new MachineConfigError(`${path}.${field}`, problem);
}

function missing(path: string, problem: string): never {
  throw new MachineConfigError(path, problem);
}
