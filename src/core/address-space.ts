/**
 * `AddressSpace` (SPEC 5): a root Container, its current flat view, listeners, an
 * optional publisher, and guest-memory access through the view.
 *
 * This class is the validating facade. Topology changes arrive from the region tree
 * through `topology.ts` and are carried out by its `SpaceState` (stage the next view,
 * deliver the diff to listeners, publish; revert on failure). The first view of a new
 * address space has generation 0; every published change adds one. A change that leaves
 * the view as it was publishes nothing. Transactions are global, as in QEMU.
 *
 * Who matches ioeventfds follows StratoVirt's `hyp_ioevtfd_enabled` (`setIoevtfdEnabled`,
 * once): off, the owner's `write*` and the owner's half of a vCPU's exited write
 * (`matchExitedWrite`) signal a matching doorbell; on, the hypervisor (the vCPU threads)
 * does, and the owner's writes go to the device.
 *
 * It renders only its first view itself and never touches other threads: the publisher
 * does.
 */

import { checkInteger, checkSize } from '../base/address.js';
import { AddressSpaceError } from '../base/errors.js';
import { checkUnsigned, decodeU64, encodeU64 } from '../base/typed-values.js';
import {
  addressMap,
  checkAttr,
  checkBytes,
  checkSpan,
  type HostSpan,
  hostAddressFromCache,
  hostAddressOf,
  inMemory,
  memoryEnd,
  type RegionCache,
  readBytes,
  regionCacheOf,
  writeBytes,
} from './access.js';
import { type DirtyLog, DirtyLogState } from './dirty-log.js';
import { FlatView } from './flat-view.js';
import { matchIoeventfd } from './io-dispatch.js';
import { flattenIoeventfds } from './ioeventfds.js';
import { checkListener, deliverTo, type Listener, type ListenerRequestItem } from './listeners.js';
import { canPublishFlags, type ViewPublisher } from './publisher.js';
import { RangeStore } from './range-store.js';
import { Region } from './region.js';
import { checkBoolean } from './region-checks.js';
import { renderWindow } from './render.js';
import { memspaceText, qemuMtreeText } from './show.js';
import { SpaceState } from './space-state.js';
import * as topology from './topology.js';
import type { AddressAttr } from './types.js';

export type { HostSpan, RegionCache } from './access.js';
export type { DirtyLog, DirtyMappingLog } from './dirty-log.js';
export type { Listener } from './listeners.js';

export class AddressSpace {
  readonly root: Region;
  readonly name: string;
  readonly #machineRam: Region | undefined;
  readonly #state: SpaceState;
  /** StratoVirt's `hyp_ioevtfd_enabled`: `undefined` until set (reads as off). */
  #ioevtfdEnabled: boolean | undefined;
  readonly #dirtyLog = new DirtyLogState();

  constructor(root: Region, name: string, machineRam?: Region) {
    if (!(root instanceof Region)) throw AddressSpaceError.invalidArgument('root must be a Region');
    if (root.regionType !== 'Container') {
      throw new AddressSpaceError(
        'UpdateTopology',
        `Generate flat view failed: only the container supported, root ${root.name} is ${root.regionType}`,
      );
    }
    if (typeof name !== 'string') throw AddressSpaceError.invalidArgument('name must be a string');
    if (machineRam !== undefined && !(machineRam instanceof Region)) {
      throw AddressSpaceError.invalidArgument('machineRam must be a Region');
    }
    this.root = root;
    this.name = name;
    this.#machineRam = machineRam;
    const ranges = RangeStore.fromArray(renderWindow(root, 0, root.size));
    this.#state = new SpaceState(root, name, new FlatView(ranges, flattenIoeventfds(ranges), 0));
    root.rootOf.add(this.#state);
    // Built inside an open transaction: re-render everything at its commit as well.
    if (topology.inTransaction()) topology.markWhole(this.#state, root.size);
  }

  /**
   * Detaches this address space from its root: later region changes no longer update it
   * (the view stays as it is). For machines that are torn down.
   */
  destroy(): void {
    this.root.rootOf.delete(this.#state);
  }

  /** The current view. */
  get flatView(): FlatView {
    return this.#state.view;
  }

  getMachineRam(): Region | undefined {
    return this.#machineRam;
  }

  // ---- listeners ----

  /** Replays the current view to `l` (ranges, then ioeventfds), enables and inserts it. */
  registerListener(listener: Listener): void {
    const l = checkListener(listener);
    topology.assertNotUpdating('registerListener');
    if (this.#state.listeners.has(l)) {
      throw AddressSpaceError.invalidArgument('listener is already registered');
    }
    checkInteger(l.priority(), 'listener priority');
    const requests: ListenerRequestItem[] = [];
    for (const range of this.#state.view.ranges) requests.push({ type: 'AddRegion', range });
    for (const evtfd of this.#state.view.ioeventfds) requests.push({ type: 'AddIoeventfd', evtfd });
    deliverTo([l], requests, false);
    l.enable();
    this.#state.listeners.insert(l);
  }

  /** Sends `l` a delete for every range and ioeventfd, disables and removes exactly `l`. */
  unregisterListener(listener: Listener): void {
    const l = checkListener(listener);
    topology.assertNotUpdating('unregisterListener');
    const priority = this.#state.listeners.priorityOf(l);
    if (priority === undefined)
      throw AddressSpaceError.invalidArgument('listener is not registered');
    const requests: ListenerRequestItem[] = [];
    for (const range of this.#state.view.ranges) requests.push({ type: 'DeleteRegion', range });
    for (const evtfd of this.#state.view.ioeventfds)
      requests.push({ type: 'DeleteIoeventfd', evtfd });
    deliverTo([l], requests, false);
    l.disable();
    this.#state.listeners.remove(l);
  }

  // ---- transactions (global, as in QEMU) ----

  transaction<T>(fn: () => T): T {
    if (typeof fn !== 'function')
      throw AddressSpaceError.invalidArgument('transaction needs a function');
    return topology.runTransaction(fn);
  }

  beginTransaction(): void {
    topology.beginTransaction();
  }

  commitTransaction(): void {
    topology.commitTransaction();
  }

  /** Applies changes made with `addSubregionNotUpdate` (StratoVirt's `update_topology`). */
  updateTopology(): void {
    topology.flushPending();
  }

  // ---- publisher ----

  attachPublisher(publisher: ViewPublisher): void {
    const p = publisher as ViewPublisher | null | undefined;
    if (
      typeof p !== 'object' ||
      p === null ||
      typeof p.publish !== 'function' ||
      typeof p.synchronize !== 'function' ||
      typeof p.callRcu !== 'function'
    ) {
      throw AddressSpaceError.invalidArgument('a publisher needs publish, synchronize and callRcu');
    }
    if (this.#state.publisher !== undefined) {
      throw AddressSpaceError.invalidArgument(`address space ${this.name} already has a publisher`);
    }
    this.#state.publisher = p;
    this.#publishFlags();
  }

  detachPublisher(): void {
    this.#state.publisher = undefined;
  }

  /** Waits for a grace period; without a publisher no reader exists: the next microtask. */
  synchronize(): Promise<void> {
    return this.#state.publisher !== undefined
      ? this.#state.publisher.synchronize()
      : Promise.resolve();
  }

  callRcu(fn: () => void): void {
    if (typeof fn !== 'function')
      throw AddressSpaceError.invalidArgument('callRcu needs a function');
    if (this.#state.publisher !== undefined) this.#state.publisher.callRcu(fn);
    else queueMicrotask(fn);
  }

  // ---- ioeventfds: who matches them ----

  /**
   * Whether the hypervisor handles ioeventfds (StratoVirt's `hyp_ioevtfd_enabled`, as KVM
   * does): then a vCPU's matching write signals inside the vCPU, and the owner's own
   * `write*` goes to the device. False (the default) until `setIoevtfdEnabled(true)`.
   */
  get ioevtfdEnabled(): boolean {
    return this.#ioevtfdEnabled === true;
  }

  /** Sets `ioevtfdEnabled`. Once only, as StratoVirt's `OnceCell`: a second call is refused. */
  setIoevtfdEnabled(enabled: boolean): void {
    const on = checkBoolean(enabled, 'ioevtfd enabled');
    if (this.#ioevtfdEnabled !== undefined) {
      throw AddressSpaceError.invalidArgument(
        `ioevtfdEnabled of address space ${this.name} is already set (${this.#ioevtfdEnabled}); it can be set once`,
      );
    }
    this.#ioevtfdEnabled = on;
    this.#publishFlags();
  }

  /** Hands readers the flags they must see with the view (publisher/ViewFlags). */
  #publishFlags(): void {
    const p = this.#state.publisher;
    if (!canPublishFlags(p)) return;
    p.publishFlags({ hypIoeventfd: this.ioevtfdEnabled, dirtyLog: this.#dirtyLog.on });
  }

  // ---- dirty logging (SPEC 10) ----

  /** Whether dirty logging is on (from `startDirtyLog()` to `stopDirtyLog()`). */
  get dirtyLogEnabled(): boolean {
    return this.#dirtyLog.on;
  }

  /**
   * Starts dirty logging of every mapping the view uses, from an empty log: the owner's
   * writes mark from now on, readers once they adopt the view republished with the flag.
   * Resolves after the grace period that follows, so no write that starts later goes
   * unmarked. Starting while on changes nothing (and waits for a grace period too).
   */
  startDirtyLog(): Promise<void> {
    if (!this.#dirtyLog.on) {
      this.#dirtyLog.start(this.#state.view);
      this.#publishFlags();
    }
    return this.synchronize();
  }

  /** Stops dirty logging: readers stop marking once they adopt the republished view. */
  stopDirtyLog(): void {
    if (!this.#dirtyLog.on) return;
    this.#dirtyLog.stop();
    this.#publishFlags();
  }

  /**
   * Snapshot and clear (QEMU's `memory_global_dirty_log_sync`): the dirty 4 KiB pages of
   * each logged mapping since the last sync (or the start), sorted, and their total. A
   * page written through an alias is listed once, in its mapping. Empty while off.
   */
  syncDirtyLog(): DirtyLog {
    return this.#dirtyLog.sync(this.#state.view);
  }

  /**
   * The owner's half of a vCPU's exited write (SPEC 5): with `ioevtfdEnabled` off, the
   * write of `data` at guest address `addr` is matched against the current view's
   * flattened ioeventfds, as the owner's own `write*` is; on a match the fd is signalled
   * and the result is true: the exit is served and the device must not see the write.
   * False when nothing matched, when `data` is empty, or when `ioevtfdEnabled` is on (the
   * vCPU matched in its own thread; what still exits belongs to the device): then the
   * caller runs the region's ops.
   *
   * For the MMIO-exit server (`concurrent/vcpu/mmio-server.ts`): for a write request,
   * call `matchExitedWrite(request.regionBase + request.offset, request.data)` before
   * `dispatchIo`, and answer the request as done when it returns true. The current view
   * is the right one to match: the vCPU waits in its exit meanwhile, as StratoVirt's vCPU
   * waits while `AddressSpace::write` runs on the current view.
   */
  matchExitedWrite(addr: number, data: Uint8Array): boolean {
    const bytes = checkBytes(data, 'data');
    return this.#signalDoorbell(checkSpan(addr, bytes.length), bytes);
  }

  /** Off mode: signals the ioeventfd that a write of `data` at `addr` matches, if any. */
  #signalDoorbell(addr: number, data: Uint8Array): boolean {
    if (this.ioevtfdEnabled || data.length === 0) return false;
    const evtfd = matchIoeventfd(this.#state.view.ioeventfds, addr, data);
    evtfd?.fd.signal();
    return evtfd !== undefined;
  }

  // ---- access ----

  read(dst: Uint8Array, addr: number, attr: AddressAttr = 'Ram'): void {
    const data = checkBytes(dst, 'dst');
    const a = checkSpan(addr, data.length);
    const at = checkAttr(attr);
    if (data.length === 0) {
      this.requireMapped(a);
      return;
    }
    readBytes(this.#state.view, data, a, at);
  }

  /**
   * Writes `src` at `addr`. With `ioevtfdEnabled` off, a write matching an ioeventfd
   * signals it instead; with it on, the write goes on to the region.
   */
  write(src: Uint8Array, addr: number, attr: AddressAttr = 'Ram'): void {
    const data = checkBytes(src, 'src');
    const a = checkSpan(addr, data.length);
    const at = checkAttr(attr);
    if (data.length === 0) {
      this.requireMapped(a);
      return;
    }
    if (this.#signalDoorbell(a, data)) return;
    writeBytes(this.#state.view, data, a, at, this.#dirtyLog.on);
  }

  readU8(addr: number, attr: AddressAttr = 'Ram'): number {
    return this.readBuffer(addr, 1, attr)[0]!;
  }

  readU16(addr: number, attr: AddressAttr = 'Ram'): number {
    const b = this.readBuffer(addr, 2, attr);
    return b[0]! | (b[1]! << 8);
  }

  readU32(addr: number, attr: AddressAttr = 'Ram'): number {
    const b = this.readBuffer(addr, 4, attr);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  readU64(addr: number, attr: AddressAttr = 'Ram'): bigint {
    return decodeU64(this.readBuffer(addr, 8, attr));
  }

  writeU8(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 1, attr);
  }

  writeU16(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 2, attr);
  }

  writeU32(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 4, attr);
  }

  writeU64(addr: number, value: bigint, attr: AddressAttr = 'Ram'): void {
    this.write(encodeU64(value), addr, attr);
  }

  getHostAddress(addr: number, attr: AddressAttr = 'Ram'): number | undefined {
    return hostAddressOf(this.#state.view, checkSpan(addr, 0), checkAttr(attr));
  }

  getRegionCache(addr: number, attr: AddressAttr = 'Ram'): RegionCache | undefined {
    return regionCacheOf(this.#state.view, checkSpan(addr, 0), checkAttr(attr));
  }

  /** `[hostAddress, bytes left in the piece]`: from `cache` when current, else by lookup. */
  getHostAddressFromCache(
    addr: number,
    cache: RegionCache | undefined,
    attr: AddressAttr = 'Ram',
  ): [number, number] | undefined {
    return hostAddressFromCache(
      this.#state.view,
      checkSpan(addr, 0),
      checkCache(cache),
      checkAttr(attr),
    );
  }

  getAddressMap(
    cache: RegionCache | undefined,
    addr: number,
    count: number,
    attr: AddressAttr = 'Ram',
  ): HostSpan[] {
    const n = checkSize(count, 'count');
    const a = checkSpan(addr, n);
    return addressMap(this.#state.view, checkCache(cache), a, n, checkAttr(attr));
  }

  addressInMemory(addr: number, size: number): boolean {
    const n = checkSize(size, 'size');
    return inMemory(this.#state.view, checkSpan(addr, n), n);
  }

  memoryEndAddress(): number {
    return memoryEnd(this.#state.view);
  }

  // ---- showing ----

  memspaceShow(): string {
    return memspaceText(this.name, this.root, this.#state.view);
  }

  mtreeQemu(options: { flat?: boolean } = {}): string {
    if (typeof options !== 'object' || options === null) {
      throw AddressSpaceError.invalidArgument('mtreeQemu options must be an object');
    }
    return qemuMtreeText(this.name, this.root, this.#state.view, options.flat === true);
  }

  private requireMapped(addr: number): void {
    if (this.#state.view.findFlatRange(addr) === undefined)
      throw AddressSpaceError.regionNotFound(addr);
  }

  private readBuffer(addr: number, size: number, attr: AddressAttr): Uint8Array {
    const b = new Uint8Array(size);
    this.read(b, addr, attr);
    return b;
  }

  private writeUnsigned(addr: number, value: number, size: number, attr: AddressAttr): void {
    const v = checkUnsigned(value, size);
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
    this.write(b, addr, attr);
  }
}

function checkCache(cache: unknown): RegionCache | undefined {
  if (cache === undefined) return undefined;
  const c = cache as RegionCache | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.start !== 'number' ||
    typeof c.end !== 'number' ||
    typeof c.hostBase !== 'number' ||
    typeof c.generation !== 'number'
  ) {
    throw AddressSpaceError.invalidArgument('cache must be a RegionCache or undefined');
  }
  return c;
}
