/**
 * Owner-side MMIO: running a region's device callbacks, and matching a write against the
 * flattened ioeventfds (SPEC 3 and 5). Shared by `AddressSpace` and the concurrent layer's
 * MMIO-exit handler, so both behave the same.
 *
 * It never resolves addresses (callers pass the owner and its base) and never changes
 * the topology.
 */
import { AddressSpaceError } from '../base/errors.js';
import type { FlatIoEventFd } from './flat-view.js';
import type { Region } from './region.js';

/**
 * Runs `owner`'s ops on `data` at region offset `offset`, split into chunks of at most
 * `ops.maxAccessSize` bytes. A callback that returns `false` or throws fails the access
 * with `IoAccess` (earlier chunks stay done: device side effects cannot be undone).
 */
export function dispatchIo(
  owner: Region,
  regionBase: number,
  offset: number,
  data: Uint8Array,
  isWrite: boolean,
): void {
  const ops = owner.ops;
  if (ops === undefined) {
    throw AddressSpaceError.regionType(`${owner.regionType} region ${owner.name} has no ops`);
  }
  const chunk = ops.maxAccessSize ?? data.length;
  let done = 0;
  do {
    const len = Math.min(chunk, data.length - done);
    const part = len === data.length ? data : data.subarray(done, done + len);
    let ok: boolean;
    try {
      ok = isWrite
        ? ops.write(part, regionBase, offset + done)
        : ops.read(part, regionBase, offset + done);
    } catch (cause) {
      throw AddressSpaceError.ioAccess(regionBase, offset, data.length, cause);
    }
    if (ok !== true) throw AddressSpaceError.ioAccess(regionBase, offset, data.length);
    done += len;
  } while (done < data.length);
}

/**
 * The ioeventfd that a write of `data` at `addr` triggers, or `undefined`: `base == addr`,
 * `size == data.length` or `size == 0`, and with `dataMatch` the zero-extended
 * little-endian value of `data` (at most 8 bytes) equals `data`. Binary search on `list`
 * (sorted by base). The caller signals it.
 */
export function matchIoeventfd(
  list: readonly FlatIoEventFd[],
  addr: number,
  data: Uint8Array,
): FlatIoEventFd | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.addrRange.base < addr) lo = mid + 1;
    else hi = mid;
  }
  let value: bigint | undefined;
  for (let i = lo; i < list.length; i++) {
    const e = list[i]!;
    if (e.addrRange.base !== addr) return undefined;
    if (e.addrRange.size !== data.length && e.addrRange.size !== 0) continue;
    if (!e.dataMatch) return e;
    if (data.length > 8) continue;
    value ??= littleEndianValue(data);
    if (value === e.data) return e;
  }
  return undefined;
}

function littleEndianValue(data: Uint8Array): bigint {
  let v = 0n;
  for (let i = data.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[i]!);
  return v;
}
