/**
 * Guest-memory access through one flat view (SPEC 5, "Access"): typed reads and writes
 * with an `AddressAttr`, host-address translation, region caches and address maps.
 *
 * Which region types an attribute may touch, and how (StratoVirt's `Region::read/write`):
 *   Ram → Ram (host memory; a write to a read-only mapping is `RegionType`);
 *   RamDevice → RamDevice (host memory);
 *   RomDevice, RomDeviceForce → RomDevice: a read comes from the mapping while romd is
 *     on and from the `read` op while it is off; a `RomDeviceForce` write goes to the
 *     `write` op; a `RomDevice` write is refused ("Error write attr");
 *   MMIO → IO ops; RomDevice ops for writes, and for reads only while romd is off.
 * No write ever changes a RomDevice's mapping: only its device does.
 *
 * RAM and RAM-device accesses may span adjacent pieces. A device access (IO or
 * RomDevice) goes whole to the region at its first byte; a write, or a RomDevice read,
 * whose span runs past that region's end is `Overflow` before the device sees anything
 * (StratoVirt's `check_valid_offset`; IO reads are not checked, as there). Everything is
 * resolved and checked before the first byte moves, so a failed write leaves guest memory
 * as it was. This module never changes the topology and never matches ioeventfds.
 */
import { checkAddress, checkedAdd } from '../base/address.js';
import { AddressSpaceError, hex } from '../base/errors.js';
import { markDirtyPages } from '../host/dirty-bitmap.js';
import type { FlatRange, FlatView } from './flat-view.js';
import { dispatchIo } from './io-dispatch.js';
import { ADDRESS_ATTRS, type AddressAttr, type RegionType } from './types.js';

/** A flat piece with host memory for the attribute it was made for (`regType` tells which). */
export interface RegionCache {
  regType: RegionType;
  /** Host address of `start`. */
  hostBase: number;
  start: number;
  end: number;
  generation: number;
}

export interface HostSpan {
  hostAddress: number;
  len: number;
}

/**
 * How an access reaches a piece: `memory` (Ram, RamDevice: host bytes, may span pieces),
 * `rom` (a RomDevice's mapping, whole region) or `ops` (the region's device callbacks).
 */
type Route = 'memory' | 'rom' | 'ops';

export function checkAttr(attr: unknown): AddressAttr {
  if (!ADDRESS_ATTRS.includes(attr as AddressAttr)) {
    throw AddressSpaceError.invalidArgument(
      `attr must be one of ${ADDRESS_ATTRS.join(', ')}, got ${String(attr)}`,
    );
  }
  return attr as AddressAttr;
}

export function checkBytes(data: unknown, what: string): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw AddressSpaceError.invalidArgument(`${what} must be a Uint8Array`);
  }
  return data;
}

/** Validates `addr` and `addr + count` against the limit. */
export function checkSpan(addr: unknown, count: number): number {
  const a = checkAddress(addr, 'address');
  if (checkedAdd(a, count) === undefined) {
    throw AddressSpaceError.overflow(a, `access of ${hex(count)} bytes passes 2**53`);
  }
  return a;
}

/** How `attr` reaches `fr`'s owner, or a `RegionType` error. */
function route(fr: FlatRange, attr: AddressAttr, isWrite: boolean, addr: number): Route {
  const owner = fr.owner;
  const type = owner.regionType;
  let r: Route | undefined;
  switch (attr) {
    case 'Ram':
      if (type === 'Ram' && !(isWrite && owner.mapping!.readOnly)) r = 'memory';
      break;
    case 'RamDevice':
      if (type === 'RamDevice' && !(isWrite && owner.mapping!.readOnly)) r = 'memory';
      break;
    case 'RomDevice':
      if (isWrite) {
        throw AddressSpaceError.regionType(
          `Error write attr: write with RomDevice at ${hex(addr)} (${type} region ${owner.name})`,
        );
      }
      if (type === 'RomDevice') r = fr.romd ? 'rom' : 'ops';
      break;
    case 'RomDeviceForce':
      if (type === 'RomDevice') r = isWrite || !fr.romd ? 'ops' : 'rom';
      break;
    case 'MMIO':
      if (type === 'IO' || (type === 'RomDevice' && (isWrite || !fr.romd))) r = 'ops';
      break;
  }
  if (r === undefined) {
    throw AddressSpaceError.regionType(
      `mismatch region type: ${isWrite ? 'write' : 'read'} with ${attr} at ${hex(addr)} hits ${type} region ${owner.name}${type === 'RomDevice' ? ` (romd ${fr.romd})` : ''}${owner.mapping?.readOnly ? ' (read-only)' : ''}`,
    );
  }
  return r;
}

/**
 * StratoVirt's `check_valid_offset` for a device access of `count` bytes at region
 * offset `offset`: `Overflow` when the span runs past the region's end. The error names
 * the guest address (StratoVirt's names the offset, which the message and the `offset`
 * field carry).
 */
function checkRegionSpan(fr: FlatRange, offset: number, count: number): void {
  const owner = fr.owner;
  if (offset + count <= owner.size) return;
  const regionBase = fr.addrRange.base - fr.offsetInRegion;
  const address = regionBase + offset;
  throw new AddressSpaceError(
    'Overflow',
    `Address overflows, addr is ${hex(address)}: Invalid offset: offset ${hex(offset)}, data length ${hex(count)}, region size ${hex(owner.size)} (${owner.regionType} region ${owner.name} at ${hex(regionBase)})`,
    { address, size: count, regionBase, offset },
  );
}

interface Segment {
  fr: FlatRange;
  addr: number;
  len: number;
}

/** Resolves `[addr, addr + count)` into host-memory segments, or throws before any access. */
function resolveHost(
  view: FlatView,
  addr: number,
  count: number,
  attr: AddressAttr,
  isWrite: boolean,
): Segment[] {
  const segments: Segment[] = [];
  let cur = addr;
  let left = count;
  let i = view.findIndex(addr);
  while (left > 0) {
    const fr = view.rangeAt(i);
    if (
      i < 0 ||
      fr === undefined ||
      cur < fr.addrRange.base ||
      cur - fr.addrRange.base >= fr.addrRange.size
    ) {
      throw AddressSpaceError.regionNotFound(cur);
    }
    route(fr, attr, isWrite, cur);
    const len = Math.min(left, fr.addrRange.base + fr.addrRange.size - cur);
    segments.push({ fr, addr: cur, len });
    cur += len;
    left -= len;
    i++;
  }
  return segments;
}

function mappingOffset(fr: FlatRange, addr: number): number {
  return fr.offsetInRegion + (addr - fr.addrRange.base);
}

/** Reads `dst.length` bytes at `addr` into `dst`. */
export function readBytes(view: FlatView, dst: Uint8Array, addr: number, attr: AddressAttr): void {
  const fr = view.findFlatRange(addr);
  if (fr === undefined) throw AddressSpaceError.regionNotFound(addr);
  const how = route(fr, attr, false, addr);
  if (how === 'memory') {
    let done = 0;
    for (const s of resolveHost(view, addr, dst.length, attr, false)) {
      const off = mappingOffset(s.fr, s.addr);
      dst.set(s.fr.owner.mapping!.bytes.subarray(off, off + s.len), done);
      done += s.len;
    }
    return;
  }
  const offset = mappingOffset(fr, addr);
  if (fr.owner.regionType === 'RomDevice') checkRegionSpan(fr, offset, dst.length);
  if (how === 'rom') {
    dst.set(fr.owner.mapping!.bytes.subarray(offset, offset + dst.length));
    return;
  }
  dispatchIo(fr.owner, fr.addrRange.base - fr.offsetInRegion, offset, dst, false);
}

/**
 * Writes `src` at `addr`: all or nothing for host memory. Ioeventfds are the caller's.
 * With `logDirty`, the pages written in host memory are marked in their mappings'
 * dirty bitmaps, after the bytes (host/dirty-bitmap.ts).
 */
export function writeBytes(
  view: FlatView,
  src: Uint8Array,
  addr: number,
  attr: AddressAttr,
  logDirty = false,
): void {
  const fr = view.findFlatRange(addr);
  if (fr === undefined) throw AddressSpaceError.regionNotFound(addr);
  if (route(fr, attr, true, addr) === 'ops') {
    const offset = mappingOffset(fr, addr);
    checkRegionSpan(fr, offset, src.length);
    dispatchIo(fr.owner, fr.addrRange.base - fr.offsetInRegion, offset, src, true);
    return;
  }
  let done = 0;
  for (const s of resolveHost(view, addr, src.length, attr, true)) {
    const mapping = s.fr.owner.mapping!;
    const offset = mappingOffset(s.fr, s.addr);
    mapping.bytes.set(src.subarray(done, done + s.len), offset);
    if (logDirty) markDirtyPages(mapping.dirtyBitmap, offset, s.len);
    done += s.len;
  }
}

/** Host address of `addr` when the piece holding it is host memory reachable with `attr`. */
export function hostAddressOf(view: FlatView, addr: number, attr: AddressAttr): number | undefined {
  const fr = view.findFlatRange(addr);
  return fr === undefined ? undefined : hostAddressIn(fr, addr, attr);
}

/** The region type whose host memory `attr` reaches, or `undefined` (MMIO). */
function hostTypeOf(attr: AddressAttr): RegionType | undefined {
  if (attr === 'Ram' || attr === 'RamDevice') return attr;
  return attr === 'MMIO' ? undefined : 'RomDevice';
}

function hostAddressIn(fr: FlatRange, addr: number, attr: AddressAttr): number | undefined {
  return fr.owner.regionType === hostTypeOf(attr)
    ? fr.owner.mapping!.hostAddress + mappingOffset(fr, addr)
    : undefined;
}

/**
 * A cache of the piece holding `addr`, or `undefined` when it is unmapped or has no host
 * memory for `attr` (an IO piece, a type that does not match): StratoVirt's `None`.
 */
export function regionCacheOf(
  view: FlatView,
  addr: number,
  attr: AddressAttr,
): RegionCache | undefined {
  const fr = view.findFlatRange(addr);
  if (fr === undefined) return undefined;
  const start = fr.addrRange.base;
  const hostBase = hostAddressIn(fr, start, attr);
  if (hostBase === undefined) return undefined;
  return {
    regType: fr.owner.regionType,
    hostBase,
    start,
    end: start + fr.addrRange.size,
    generation: view.generation,
  };
}

/**
 * `[hostAddress, bytes left in the piece]` for `addr`: from `cache` when it is of this
 * view's generation, of the type `attr` reaches and holds `addr`, else by lookup (`attr`
 * pieces only).
 */
export function hostAddressFromCache(
  view: FlatView,
  addr: number,
  cache: RegionCache | undefined,
  attr: AddressAttr,
): [number, number] | undefined {
  if (
    cache !== undefined &&
    cache.generation === view.generation &&
    cache.regType === hostTypeOf(attr) &&
    addr >= cache.start &&
    addr < cache.end
  ) {
    return [cache.hostBase + (addr - cache.start), cache.end - addr];
  }
  const fr = view.findFlatRange(addr);
  if (fr === undefined) return undefined;
  const host = hostAddressIn(fr, addr, attr);
  return host === undefined ? undefined : [host, fr.addrRange.base + fr.addrRange.size - addr];
}

/** Host spans covering `[addr, addr + count)`, or an error naming the span. */
export function addressMap(
  view: FlatView,
  cache: RegionCache | undefined,
  addr: number,
  count: number,
  attr: AddressAttr,
): HostSpan[] {
  const spans: HostSpan[] = [];
  let cur = addr;
  let left = count;
  while (left > 0) {
    const hit = hostAddressFromCache(view, cur, cache, attr);
    if (hit === undefined) {
      const span = `span ${hex(addr)} + ${hex(count)} has no ${attr} host memory at ${hex(cur)}`;
      const fr = view.findFlatRange(cur);
      throw fr === undefined
        ? new AddressSpaceError(
            'RegionNotFound',
            `Failed to find matched region, addr ${hex(cur)}: ${span}`,
          )
        : AddressSpaceError.regionType(
            `mismatch region type: ${span} (${fr.owner.regionType} region ${fr.owner.name})`,
          );
    }
    const len = Math.min(hit[1], left);
    spans.push({ hostAddress: hit[0], len });
    cur += len;
    left -= len;
  }
  return spans;
}

/** `addr` and every byte of the span lie in Ram pieces (size 0: `addr` alone). */
export function inMemory(view: FlatView, addr: number, size: number): boolean {
  let i = view.findIndex(addr);
  let cur = addr;
  const end = addr + (size === 0 ? 1 : size);
  while (cur < end) {
    const fr = view.rangeAt(i);
    if (i < 0 || fr === undefined || fr.owner.regionType !== 'Ram' || fr.addrRange.base > cur)
      return false;
    cur = fr.addrRange.base + fr.addrRange.size;
    i++;
  }
  return true;
}

const memoryEnds = new WeakMap<FlatView, number>();

/** Highest end of a Ram piece, or 0. */
export function memoryEnd(view: FlatView): number {
  const cached = memoryEnds.get(view);
  if (cached !== undefined) return cached;
  let end = 0;
  for (let i = view.rangeCount - 1; i >= 0; i--) {
    const fr = view.rangeAt(i)!;
    if (fr.owner.regionType === 'Ram') {
      end = fr.addrRange.base + fr.addrRange.size;
      break;
    }
  }
  memoryEnds.set(view, end);
  return end;
}
