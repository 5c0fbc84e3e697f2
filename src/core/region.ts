/**
 * `Region`: one node of the memory-region tree (SPEC 3), StratoVirt's `Region`.
 *
 * Six types: Ram, IO, Container, RomDevice, RamDevice, Alias. A Container holds
 * subregions in render order (descending priority; among equals the one added last
 * first). Every mutation validates its input first and throws `AddressSpaceError` without
 * touching anything when it is bad; a valid mutation goes through `topology.ts`, which
 * updates every address space that can reach the region (through parents and alias
 * targets) and undoes the mutation when that update fails.
 *
 * This module never renders views and never talks to listeners: it only keeps the tree
 * and tells the topology coordinator which region changed.
 */

import { checkAddress, checkedAdd, checkInteger, checkSize } from '../base/address.js';
import { AddressSpaceError, hex } from '../base/errors.js';
import type { HostMemMapping } from '../host/mapping.js';
import { ChildIndex } from './child-index.js';
import { validateRegionIoEventFds } from './ioeventfd-validate.js';
import { checkBoolean, checkMapping, checkOps, reaches } from './region-checks.js';
import { regionMtree } from './show.js';
import { changeTopology, type UpdateParticipant } from './topology.js';
import type { RegionIoEventFd, RegionOps, RegionType } from './types.js';

/** Containers with more children than this answer window queries through a `ChildIndex`. */
const CHILD_INDEX_THRESHOLD = 32;

/** Deepest indentation `mtree` accepts (4 spaces each). */
const MAX_MTREE_LEVEL = 1024;

let nextRegionId = 1;
/** Insertion stamp: the later a child was (re)inserted, the earlier it renders among equals. */
let nextOrderSeq = 1;

interface RegionInit {
  name: unknown;
  regionType: RegionType;
  size: number;
  mapping?: HostMemMapping;
  ops?: RegionOps;
  aliasTarget?: Region;
  aliasOffset?: number;
}

/**
 * A memory region: `initRamRegion`, `initIoRegion`, `initContainerRegion`,
 * `initAliasRegion`, `initRomDeviceRegion`, `initRamDeviceRegion`; containers take
 * children with `addSubregion(child, offset)` / `deleteSubregion`, and a change inside a
 * region attached to an `AddressSpace` updates its flat view. Sizes and offsets are bytes.
 * Throws `AddressSpaceError`: `InvalidArgument` for bad sizes, `RegionType` for an
 * operation the type does not have, `RegionInUse` for a region already attached,
 * `Overflow` for a child past its container.
 */
export class Region {
  /** Unique positive integer per Region, for tables shared with other threads. */
  readonly id: number;
  readonly name: string;
  readonly regionType: RegionType;
  readonly size: number;
  /** Backing memory of Ram, RomDevice and RamDevice regions. */
  readonly mapping: HostMemMapping | undefined;
  /** Device callbacks of IO and RomDevice regions. */
  readonly ops: RegionOps | undefined;
  readonly aliasTarget: Region | undefined;
  /** Byte of the target that appears at the alias's base; 0 unless Alias. */
  readonly aliasOffset: number;

  #priority = 0;
  #offset = 0;
  #parent: Region | undefined = undefined;
  #enabled = true;
  #romd = true;
  #ioeventfds: readonly RegionIoEventFd[] = Object.freeze([]);

  /** Internal (core only): children in render order. Mutated only by this class. */
  readonly childList: Region[] = [];
  /** Internal (core only): address index of `childList`, built once the container is big. */
  childIndex: ChildIndex | undefined = undefined;
  /** Internal (core only): render-order stamp among equal priorities. */
  orderSeq = 0;
  /**
   * Internal (core only): every alias made of this region, held weakly (an alias is
   * reachable through its parent or through another alias, so all of them count, but a
   * dropped alias must not be kept alive by its target).
   */
  readonly aliasReferrers = new Set<WeakRef<Region>>();
  /** Internal (core only): address spaces whose root this region is. */
  readonly rootOf = new Set<UpdateParticipant>();

  private constructor(init: RegionInit) {
    if (typeof init.name !== 'string') {
      throw AddressSpaceError.invalidArgument('region name must be a string');
    }
    this.id = nextRegionId++;
    this.name = init.name;
    this.regionType = init.regionType;
    this.size = init.size;
    this.mapping = init.mapping;
    this.ops = init.ops;
    this.aliasTarget = init.aliasTarget;
    this.aliasOffset = init.aliasOffset ?? 0;
    this.aliasTarget?.aliasReferrers.add(new WeakRef(this));
  }

  static initRamRegion(mapping: HostMemMapping, name: string): Region {
    return new Region({ name, regionType: 'Ram', size: checkMapping(mapping).size, mapping });
  }

  static initIoRegion(size: number, ops: RegionOps, name: string): Region {
    const s = checkSize(size, 'IO region size');
    return new Region({ name, regionType: 'IO', size: s, ops: checkOps(ops) });
  }

  static initContainerRegion(size: number, name: string): Region {
    return new Region({ name, regionType: 'Container', size: checkSize(size, 'container size') });
  }

  /** A ROM device: reads come from `mapping` while romd is on (the start), else from `ops`. */
  static initRomDeviceRegion(mapping: HostMemMapping, ops: RegionOps, name: string): Region {
    const m = checkMapping(mapping);
    return new Region({
      name,
      regionType: 'RomDevice',
      size: m.size,
      mapping: m,
      ops: checkOps(ops),
    });
  }

  static initRamDeviceRegion(mapping: HostMemMapping, name: string): Region {
    return new Region({ name, regionType: 'RamDevice', size: checkMapping(mapping).size, mapping });
  }

  /** Shows `target` bytes `[aliasOffset, aliasOffset + size)` at the alias's own base. */
  static initAliasRegion(target: Region, aliasOffset: number, size: number, name: string): Region {
    if (!(target instanceof Region)) {
      throw AddressSpaceError.invalidArgument('alias target must be a Region');
    }
    const off = checkAddress(aliasOffset, 'alias offset');
    const s = checkSize(size, 'alias size');
    const end = checkedAdd(off, s);
    if (end === undefined || end > target.size) {
      throw AddressSpaceError.overflow(
        off,
        `alias offset ${hex(off)} + size ${hex(s)} passes target ${target.name} size ${hex(target.size)}`,
      );
    }
    return new Region({
      name,
      regionType: 'Alias',
      size: s,
      aliasTarget: target,
      aliasOffset: off,
    });
  }

  get priority(): number {
    return this.#priority;
  }

  /** Offset within the parent (the last one it was added at). */
  get offset(): number {
    return this.#offset;
  }

  get parent(): Region | undefined {
    return this.#parent;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Internal (core only): romd flag without the type check. */
  get romdMode(): boolean {
    return this.#romd;
  }

  /** Internal (core only): the current ioeventfd list, frozen, replaced on every change. */
  get ioeventfdList(): readonly RegionIoEventFd[] {
    return this.#ioeventfds;
  }

  /** Subregions in render order (a copy). */
  subregions(): readonly Region[] {
    return this.childList.slice();
  }

  /** The romd mode of a RomDevice; `undefined` for every other type (StratoVirt's `None`). */
  getRomDeviceRomd(): boolean | undefined {
    return this.regionType === 'RomDevice' ? this.#romd : undefined;
  }

  setRomDeviceRomd(mode: boolean): void {
    if (this.regionType !== 'RomDevice') {
      throw AddressSpaceError.regionType(`${this.regionType} region ${this.name} has no romd mode`);
    }
    const on = checkBoolean(mode, 'romd mode');
    if (on === this.#romd) return;
    changeTopology(
      this,
      'same',
      () => {
        this.#romd = on;
      },
      () => {
        this.#romd = !on;
      },
    );
  }

  /** Re-inserts the region among its siblings as if just added; the same value changes nothing. */
  setPriority(priority: number): void {
    const p = checkInteger(priority, 'priority');
    const old = this.#priority;
    if (p === old) return;
    const oldSeq = this.orderSeq;
    const parent = this.#parent;
    changeTopology(
      this,
      'same',
      () => {
        parent?.unlinkChild(this);
        this.#priority = p;
        this.orderSeq = nextOrderSeq++;
        parent?.linkChild(this);
      },
      () => {
        parent?.unlinkChild(this);
        this.#priority = old;
        this.orderSeq = oldSeq;
        parent?.linkChild(this);
      },
    );
  }

  setEnabled(on: boolean): void {
    const value = checkBoolean(on, 'enabled');
    if (value === this.#enabled) return;
    changeTopology(
      this,
      'same',
      () => {
        this.#enabled = value;
      },
      () => {
        this.#enabled = !value;
      },
    );
  }

  /** The region's ioeventfds (region-relative), a frozen copy. */
  ioeventfds(): readonly RegionIoEventFd[] {
    return this.#ioeventfds;
  }

  setIoeventfds(list: readonly RegionIoEventFd[]): void {
    const next = validateRegionIoEventFds(list, this);
    const old = this.#ioeventfds;
    changeTopology(
      this,
      'same',
      () => {
        this.#ioeventfds = next;
      },
      () => {
        this.#ioeventfds = old;
      },
    );
  }

  addSubregion(child: Region, offset: number): void {
    this.addChecked(child, offset, true);
  }

  /**
   * Adds `child` without updating the address spaces now: the change is remembered and
   * shows at the next update of each (any later change, a commit, or `updateTopology()`).
   */
  addSubregionNotUpdate(child: Region, offset: number): void {
    this.addChecked(child, offset, false);
  }

  deleteSubregion(child: Region): void {
    if (this.regionType !== 'Container') {
      throw AddressSpaceError.regionType(
        `${this.regionType} region ${this.name} has no subregions`,
      );
    }
    if (!(child instanceof Region)) {
      throw AddressSpaceError.invalidArgument('subregion must be a Region');
    }
    if (child.#parent !== this) {
      throw AddressSpaceError.regionNotFound(child.#offset);
    }
    const offset = child.#offset;
    const seq = child.orderSeq;
    changeTopology(
      child,
      'before',
      () => this.detach(child),
      () => this.attach(child, offset, seq),
    );
  }

  /** StratoVirt's mtree lines for this region and its subtree, 4 spaces per level. */
  mtree(level = 0): string {
    const l = checkSize(level, 'mtree level');
    if (l > MAX_MTREE_LEVEL) {
      throw AddressSpaceError.invalidArgument(`mtree level must be at most ${MAX_MTREE_LEVEL}`);
    }
    return regionMtree(this, l);
  }

  private addChecked(child: Region, offset: number, update: boolean): void {
    if (this.regionType !== 'Container') {
      throw AddressSpaceError.regionType(
        `${this.regionType} region ${this.name} cannot take subregions`,
      );
    }
    if (!(child instanceof Region)) {
      throw AddressSpaceError.invalidArgument('subregion must be a Region');
    }
    const off = checkAddress(offset, 'subregion offset');
    const end = checkedAdd(off, child.size);
    if (end === undefined || end > this.size) {
      throw AddressSpaceError.overflow(
        off,
        `Invalid offset: offset ${hex(off)}, child length ${hex(child.size)}, region size ${hex(this.size)}`,
      );
    }
    if (child.#parent !== undefined) {
      throw new AddressSpaceError(
        'RegionInUse',
        `Region ${child.name} is in use: it is already a subregion of ${child.#parent.name}`,
      );
    }
    if (reaches(child, this)) {
      throw AddressSpaceError.invalidArgument(
        `adding ${child.name} under ${this.name} would make the region graph cyclic`,
      );
    }
    const oldOffset = child.#offset;
    const oldSeq = child.orderSeq;
    changeTopology(
      child,
      'after',
      () => this.attach(child, off, nextOrderSeq++),
      () => {
        this.detach(child);
        child.#offset = oldOffset;
        child.orderSeq = oldSeq;
      },
      update,
    );
  }

  /** Links `child` at `offset` with render stamp `seq` (new for an add, the old one for an undo). */
  private attach(child: Region, offset: number, seq: number): void {
    child.#offset = offset;
    child.#parent = this;
    child.orderSeq = seq;
    this.linkChild(child);
  }

  private detach(child: Region): void {
    this.unlinkChild(child);
    child.#parent = undefined;
  }

  /** Inserts into `childList` at its render position (binary search) and the index. */
  private linkChild(child: Region): void {
    const list = this.childList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rendersBefore(list[mid]!, child)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, child);
    if (this.childIndex !== undefined) this.childIndex.insert(child);
    else if (list.length > CHILD_INDEX_THRESHOLD) this.childIndex = ChildIndex.build(list);
  }

  private unlinkChild(child: Region): void {
    const list = this.childList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rendersBefore(list[mid]!, child)) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo] !== child) throw new Error(`core invariant: ${child.name} not in ${this.name}`);
    list.splice(lo, 1);
    this.childIndex?.remove(child);
  }
}

/** Render order between siblings: higher priority first, then the later (re)inserted. */
export function rendersBefore(a: Region, b: Region): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.orderSeq > b.orderSeq);
}
