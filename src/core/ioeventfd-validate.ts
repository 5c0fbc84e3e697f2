/**
 * Validation of a region's ioeventfd list (`Region.setIoeventfds`, SPEC 5).
 *
 * Returns a frozen copy of plain, frozen objects so later changes by the caller cannot
 * reach the tree. Only leaves own flat pieces, so Containers and Aliases take no
 * ioeventfds (`RegionType`). It never flattens or diffs: see `ioeventfds.ts`.
 */

import { checkedAdd, checkRange } from '../base/address.js';
import { AddressSpaceError, hex } from '../base/errors.js';
import { EventFd } from '../host/event-fd.js';
import type { Region } from './region.js';
import type { RegionIoEventFd } from './types.js';

const U64_LIMIT = 1n << 64n;

export function validateRegionIoEventFds(
  list: readonly RegionIoEventFd[],
  region: Region,
): readonly RegionIoEventFd[] {
  if (region.regionType === 'Container' || region.regionType === 'Alias') {
    throw AddressSpaceError.regionType(
      `${region.regionType} region ${region.name} cannot own ioeventfds`,
    );
  }
  if (!Array.isArray(list)) {
    throw AddressSpaceError.invalidArgument('ioeventfds must be an array');
  }
  const out: RegionIoEventFd[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as RegionIoEventFd | null | undefined;
    const what = `ioeventfds[${i}]`;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.addrRange !== 'object' ||
      e.addrRange === null
    ) {
      throw AddressSpaceError.invalidArgument(`${what} must be an object with an addrRange`);
    }
    const range = checkRange(e.addrRange.base, e.addrRange.size, `${what}.addrRange`);
    const end = checkedAdd(range.base, range.size);
    if (end === undefined || end > region.size) {
      throw AddressSpaceError.overflow(
        range.base,
        `${what} ends at ${hex(range.base + range.size)}, past region ${region.name} size ${hex(region.size)}`,
      );
    }
    if (typeof e.dataMatch !== 'boolean') {
      throw AddressSpaceError.invalidArgument(`${what}.dataMatch must be a boolean`);
    }
    if (typeof e.data !== 'bigint' || e.data < 0n || e.data >= U64_LIMIT) {
      throw AddressSpaceError.invalidArgument(`${what}.data must be a bigint in [0, 2**64)`);
    }
    if (!(e.fd instanceof EventFd)) {
      throw AddressSpaceError.invalidArgument(`${what}.fd must be an EventFd`);
    }
    out.push(
      Object.freeze({
        addrRange: Object.freeze({ base: range.base, size: range.size }),
        dataMatch: e.dataMatch,
        data: e.data,
        fd: e.fd,
      }),
    );
  }
  return Object.freeze(out);
}
