/**
 * The board features of a machine file (config-schema.ts has the field table): mapping
 * contents, PAM windows (`pam`), a BAR window (`barWindow`) and the workload targets
 * (`targets`). `parse*` turn a feature's checked shape into its `MachineConfig` form,
 * naming the field path of a bad value; `checkFeatures` relates them to the regions
 * (names that exist, windows inside their containers, BARs at slot starts) once every
 * region is known. The first problem is one `MachineConfigError`. This module allocates
 * nothing and builds no region: build.ts does.
 */
import { checkedAdd } from '../base/address.js';
import { hex } from '../base/errors.js';
import type { barWindowSchema, pamSchema, targetsSchema } from './config-schema.js';
import { MachineConfigError } from './errors.js';
import type {
  BarWindowConfig,
  MachineConfig,
  MappingContentConfig,
  PamConfig,
  RegionConfig,
  TargetsConfig,
} from './machine-config.js';
import { PAM_WINDOW_COUNT, pamWindowName, pamWindowRanges } from './pam.js';
import { parseSize } from './sizes.js';

type Raw<T extends { parse(value: unknown): unknown }> = ReturnType<T['parse']>;

const HEX_BYTES = /^(?:[0-9a-fA-F]{2})*$/;

/** A mapping's `fill` byte (default 0). */
export function parseFill(raw: unknown, path: string): number {
  if (raw === undefined) return 0;
  const fill = parseSize(raw, path);
  if (fill > 0xff)
    throw new MachineConfigError(path, `must be a byte (0 to 0xFF), got ${hex(fill)}`);
  return fill;
}

/** A mapping's `content` entries, each inside a mapping of `size` bytes. */
export function parseContent(
  raw: readonly { offset: unknown; hex: string }[] | undefined,
  path: string,
  size: number,
): MappingContentConfig[] {
  return (raw ?? []).map((entry, i) => {
    const at = `${path}[${i}]`;
    const offset = parseSize(entry.offset, `${at}.offset`);
    if (!HEX_BYTES.test(entry.hex)) {
      throw new MachineConfigError(`${at}.hex`, 'must be pairs of hex digits, such as "55AA"');
    }
    const bytes = (entry.hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
    const end = checkedAdd(offset, bytes.length);
    if (end === undefined || end > size) {
      throw new MachineConfigError(
        `${at}.offset`,
        `${hex(offset)} + ${bytes.length} bytes passes the end of the mapping (size ${hex(size)})`,
      );
    }
    return { offset, bytes };
  });
}

export function parsePam(raw: Raw<typeof pamSchema>): PamConfig {
  return { target: raw.target, priority: raw.priority ?? 0 };
}

export function parseBarWindow(raw: Raw<typeof barWindowSchema>): BarWindowConfig {
  return {
    container: raw.container,
    offset: parseSize(raw.offset, 'barWindow.offset'),
    slotSize: parseSize(raw.slotSize, 'barWindow.slotSize', { positive: true }),
    slots: raw.slots,
    bars: raw.bars,
  };
}

export function parseTargets(raw: Raw<typeof targetsSchema>): TargetsConfig {
  return {
    ram: raw.ram?.map((r, i) => ({
      region: r.region,
      offset: r.offset === undefined ? 0 : parseSize(r.offset, `targets.ram[${i}].offset`),
      size: parseSize(r.size, `targets.ram[${i}].size`, { positive: true }),
    })),
    mmio: raw.mmio,
  };
}

/** What the relation checks know about the regions of a file. */
export interface RegionIndex {
  readonly byName: ReadonlyMap<string, RegionConfig>;
  /** Names of the regions in the memory tree. */
  readonly inMemory: ReadonlySet<string>;
  /** Names of the regions in the io tree. */
  readonly inIo: ReadonlySet<string>;
  /** The region whose child each region is. */
  readonly parentOf: ReadonlyMap<string, RegionConfig>;
}

/** Checks `pam`, `barWindow` and `targets` against the regions of `config`. */
export function checkFeatures(config: MachineConfig, index: RegionIndex): void {
  if (config.pam !== undefined) checkPam(config, config.pam, index);
  if (config.barWindow !== undefined) checkBarWindow(config.barWindow, index);
  if (config.targets !== undefined) checkTargets(config.targets, index);
}

function checkPam(config: MachineConfig, pam: PamConfig, index: RegionIndex): void {
  const target = index.byName.get(pam.target);
  if (target === undefined) {
    throw new MachineConfigError('pam.target', `no region named "${pam.target}"`);
  }
  const last = pamWindowRanges()[PAM_WINDOW_COUNT - 1]!;
  const end = last.base + last.size;
  if (target.size < end || config.memory.size < end) {
    throw new MachineConfigError(
      'pam.target',
      `the windows end at ${hex(end)}: "${pam.target}" (size ${hex(target.size)}) and the memory root (size ${hex(config.memory.size)}) must reach it`,
    );
  }
  if (reaches(target, config.memory, index.byName)) {
    throw new MachineConfigError(
      'pam.target',
      `"${pam.target}" leads back to the memory root: the windows would show themselves`,
    );
  }
  for (let i = 0; i < PAM_WINDOW_COUNT; i++) {
    const taken = index.byName.get(pamWindowName(i));
    if (taken !== undefined) {
      throw new MachineConfigError(
        'pam',
        `the windows are named pam0 to pam${PAM_WINDOW_COUNT - 1}, and "${taken.name}" is already the name of ${taken.path}`,
      );
    }
  }
}

/** Whether rendering `from` (children and alias targets) ever reaches `to`. */
function reaches(
  from: RegionConfig,
  to: RegionConfig,
  byName: ReadonlyMap<string, RegionConfig>,
): boolean {
  const seen = new Set<RegionConfig>();
  const pending = [from];
  for (let r = pending.pop(); r !== undefined; r = pending.pop()) {
    if (r === to) return true;
    if (seen.has(r)) continue;
    seen.add(r);
    if (r.type === 'Alias') pending.push(byName.get(r.target!)!);
    pending.push(...r.children);
  }
  return false;
}

function checkBarWindow(window: BarWindowConfig, index: RegionIndex): void {
  const container = index.byName.get(window.container);
  if (container === undefined || !index.inMemory.has(window.container)) {
    throw new MachineConfigError(
      'barWindow.container',
      `no region named "${window.container}" in memory`,
    );
  }
  if (container.type !== 'Container') {
    throw new MachineConfigError(
      'barWindow.container',
      `"${window.container}" must be a Container`,
    );
  }
  const end = window.offset + window.slots * window.slotSize;
  if (!Number.isSafeInteger(end) || end > container.size) {
    throw new MachineConfigError(
      'barWindow.slots',
      `${window.slots} slots of ${hex(window.slotSize)} from ${hex(window.offset)} pass the end of "${container.name}" (size ${hex(container.size)})`,
    );
  }
  const holder = new Map<number, string>();
  window.bars.forEach((name, i) => {
    const path = `barWindow.bars[${i}]`;
    const bar = index.byName.get(name);
    if (bar === undefined || index.parentOf.get(name) !== container) {
      throw new MachineConfigError(path, `"${name}" is not a child of "${container.name}"`);
    }
    const slot = (bar.offset - window.offset) / window.slotSize;
    if (!Number.isInteger(slot) || slot < 0 || slot >= window.slots) {
      throw new MachineConfigError(
        path,
        `"${name}" at offset ${hex(bar.offset)} does not start a slot of the window`,
      );
    }
    if (bar.size > window.slotSize) {
      throw new MachineConfigError(
        path,
        `"${name}" (size ${hex(bar.size)}) does not fit in a slot of ${hex(window.slotSize)}`,
      );
    }
    const other = holder.get(slot);
    if (other !== undefined) {
      throw new MachineConfigError(path, `"${name}" is in slot ${slot}, which holds "${other}"`);
    }
    holder.set(slot, name);
  });
}

function checkTargets(targets: TargetsConfig, index: RegionIndex): void {
  targets.ram?.forEach((ram, i) => {
    const region = index.byName.get(ram.region);
    if (region === undefined || !index.inMemory.has(ram.region)) {
      throw new MachineConfigError(
        `targets.ram[${i}].region`,
        `no region named "${ram.region}" in memory`,
      );
    }
    const end = checkedAdd(ram.offset, ram.size);
    if (end === undefined || end > region.size) {
      throw new MachineConfigError(
        `targets.ram[${i}].size`,
        `offset ${hex(ram.offset)} + size ${hex(ram.size)} passes the end of "${region.name}" (size ${hex(region.size)})`,
      );
    }
  });
  targets.mmio?.forEach((name, i) => {
    const path = `targets.mmio[${i}]`;
    const region = index.byName.get(name);
    if (region === undefined || !(index.inMemory.has(name) || index.inIo.has(name))) {
      throw new MachineConfigError(path, `no region named "${name}" in memory or io`);
    }
    const device = region.type === 'Alias' ? index.byName.get(region.target!)! : region;
    if (device.device === undefined) {
      throw new MachineConfigError(path, `"${name}" is not a device, nor an alias of one`);
    }
    if (device !== region && (region.aliasOffset !== 0 || region.size !== device.size)) {
      throw new MachineConfigError(
        path,
        `alias "${name}" must show all of device "${device.name}" (aliasOffset 0, size ${hex(device.size)})`,
      );
    }
  });
}
