/**
 * The checks of a machine file that relate two or more fields: unique region names,
 * children inside their parents, one region per mapping, alias targets that exist and
 * are large enough, no alias cycles, the names `machineRam` and `hotplug` refer to, and
 * (config-features.ts) what the board features `pam`, `barWindow` and `targets` name.
 * Each region's own fields were checked before (machine-file.ts). This module reports the
 * first problem as a `MachineConfigError` and changes nothing.
 */

import { checkedAdd } from '../base/address.js';
import { PAGE_SIZE } from '../base/constants.js';
import { hex } from '../base/errors.js';
import { MAX_MAPPING_SIZE } from '../host/window.js';
import { checkFeatures } from './config-features.js';
import { MachineConfigError } from './errors.js';
import { MAX_RENDER_DEPTH } from './file-limits.js';
import type { MachineConfig, RegionConfig } from './machine-config.js';

export function checkRelations(config: MachineConfig): void {
  const byName = new Map<string, RegionConfig>();
  const memoryTree = new Set<string>();
  const ioTree = new Set<string>();
  const parentOf = new Map<string, RegionConfig>();
  const mappingUser = new Map<string, RegionConfig>();
  const visit = (region: RegionConfig, tree: Set<string> | undefined): void => {
    const earlier = byName.get(region.name);
    if (earlier !== undefined) {
      throw new MachineConfigError(
        `${region.path}.name`,
        `"${region.name}" is already the name of ${earlier.path}`,
      );
    }
    byName.set(region.name, region);
    tree?.add(region.name);
    if (region.mapping !== undefined) {
      const user = mappingUser.get(region.mapping);
      if (user !== undefined) {
        throw new MachineConfigError(
          `${region.path}.mapping`,
          `mapping "${region.mapping}" already backs region "${user.name}" (${user.path})`,
        );
      }
      mappingUser.set(region.mapping, region);
    }
    for (const child of region.children) {
      checkFits(child, region);
      parentOf.set(child.name, region);
      visit(child, tree);
    }
  };
  visit(config.memory, memoryTree);
  if (config.io !== undefined) visit(config.io, ioTree);
  for (const region of config.detached) {
    if (region.offset !== 0) {
      throw new MachineConfigError(
        `${region.path}.offset`,
        'a region in no address space has no offset',
      );
    }
    visit(region, undefined);
  }

  for (const region of byName.values()) {
    if (region.type === 'Alias') checkAlias(region, byName);
  }
  checkAliasCycles(config, byName);
  checkQueueAreas(byName);

  if (config.machineRam !== undefined && !byName.has(config.machineRam)) {
    throw new MachineConfigError('machineRam', `no region named "${config.machineRam}"`);
  }
  if (config.hotplug !== undefined) checkHotplug(config, byName, memoryTree);
  checkFeatures(config, { byName, inMemory: memoryTree, inIo: ioTree, parentOf });
}

function checkFits(child: RegionConfig, parent: RegionConfig): void {
  const end = checkedAdd(child.offset, child.size);
  if (end === undefined || end > parent.size) {
    throw new MachineConfigError(
      `${child.path}.${child.offset > 0 ? 'offset' : 'size'}`,
      `offset ${hex(child.offset)} + size ${hex(child.size)} passes the end of "${parent.name}" (size ${hex(parent.size)})`,
    );
  }
}

function checkAlias(alias: RegionConfig, byName: ReadonlyMap<string, RegionConfig>): void {
  const target = byName.get(alias.target!);
  if (target === undefined) {
    throw new MachineConfigError(`${alias.path}.target`, `no region named "${alias.target}"`);
  }
  if (target === alias) {
    throw new MachineConfigError(`${alias.path}.target`, 'an alias cannot target itself');
  }
  const end = checkedAdd(alias.aliasOffset, alias.size);
  if (end === undefined || end > target.size) {
    throw new MachineConfigError(
      `${alias.path}.${alias.aliasOffset > 0 ? 'aliasOffset' : 'size'}`,
      `aliasOffset ${hex(alias.aliasOffset)} + size ${hex(alias.size)} passes the end of target "${target.name}" (size ${hex(target.size)})`,
    );
  }
}

/**
 * Rendering follows children and alias targets; a cycle through them would never end,
 * and a path through them longer than `MAX_RENDER_DEPTH` (a chain of 5,000 aliases, ...)
 * would take a stack that deep. Depth-first search with an explicit stack over that
 * graph: reports the first alias that closes a cycle, or the region whose path down
 * reaches too deep.
 */
function checkAliasCycles(config: MachineConfig, byName: ReadonlyMap<string, RegionConfig>): void {
  const state = new Map<RegionConfig, 'open' | 'done'>();
  /** Longest path of children and alias targets below each finished region (1: a leaf). */
  const depth = new Map<RegionConfig, number>();
  const nextOf = (region: RegionConfig): readonly RegionConfig[] =>
    region.type === 'Alias' ? [byName.get(region.target!)!] : region.children;
  const walk = (root: RegionConfig): void => {
    if (state.get(root) === 'done') return;
    const trail: { region: RegionConfig; next: number }[] = [{ region: root, next: 0 }];
    state.set(root, 'open');
    while (trail.length > 0) {
      const top = trail[trail.length - 1]!;
      const next = nextOf(top.region);
      if (top.next < next.length) {
        const to = next[top.next++]!;
        if (state.get(to) === 'open') {
          const names = trail.map((t) => t.region);
          const loop = names.slice(names.indexOf(to)).map((r) => r.name);
          const alias = [...names].reverse().find((r) => r.type === 'Alias')!;
          throw new MachineConfigError(
            `${alias.path}.target`,
            `alias cycle: ${[...loop, to.name].join(' -> ')}`,
          );
        }
        if (state.get(to) !== 'done') {
          state.set(to, 'open');
          trail.push({ region: to, next: 0 });
        }
        continue;
      }
      trail.pop();
      const region = top.region;
      const below = Math.max(0, ...next.map((to) => depth.get(to) ?? 0));
      if (below + 1 > MAX_RENDER_DEPTH) {
        throw new MachineConfigError(
          `${region.path}.${region.type === 'Alias' ? 'target' : 'children'}`,
          `children and alias targets reach more than ${MAX_RENDER_DEPTH} levels deep from "${region.name}"`,
        );
      }
      depth.set(region, below + 1);
      state.set(region, 'done');
    }
  };
  walk(config.memory);
  if (config.io !== undefined) walk(config.io);
  for (const region of config.detached) walk(region);
}

/** Two virtio devices whose queue areas overlap would corrupt each other's requests. */
function checkQueueAreas(byName: ReadonlyMap<string, RegionConfig>): void {
  const areas: { region: RegionConfig; gpa: number; end: number }[] = [];
  for (const region of byName.values()) {
    const queue = region.device?.model === 'virtio-mmio' ? region.device.queue : undefined;
    if (queue !== undefined) areas.push({ region, gpa: queue.gpa, end: queue.gpa + queue.size });
  }
  areas.sort((a, b) => a.gpa - b.gpa);
  for (let i = 1; i < areas.length; i++) {
    const [a, b] = [areas[i - 1]!, areas[i]!];
    if (b.gpa < a.end) {
      throw new MachineConfigError(
        `${b.region.path}.device.queue.gpa`,
        `the queue area ${hex(b.gpa)}..${hex(b.end)} overlaps the queue area of "${a.region.name}" (${hex(a.gpa)}..${hex(a.end)})`,
      );
    }
  }
}

function checkHotplug(
  config: MachineConfig,
  byName: ReadonlyMap<string, RegionConfig>,
  memoryTree: ReadonlySet<string>,
): void {
  const { container, blockSize } = config.hotplug!;
  const region = byName.get(container);
  if (region === undefined || !memoryTree.has(container)) {
    throw new MachineConfigError('hotplug.container', `no region named "${container}" in memory`);
  }
  if (region.type !== 'Container' || region.children.length > 0) {
    throw new MachineConfigError('hotplug.container', `"${container}" must be an empty Container`);
  }
  if (blockSize % PAGE_SIZE !== 0 || blockSize > MAX_MAPPING_SIZE) {
    throw new MachineConfigError(
      'hotplug.blockSize',
      `must be a multiple of 4 KiB up to 4 GiB, got ${hex(blockSize)}`,
    );
  }
  if (region.size % blockSize !== 0) {
    throw new MachineConfigError(
      'hotplug.blockSize',
      `${hex(blockSize)} does not divide the size of "${container}" (${hex(region.size)})`,
    );
  }
}
