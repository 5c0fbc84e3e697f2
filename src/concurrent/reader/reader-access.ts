/**
 * Small pure helpers of the reader's access path: which range types are memory for a
 * read or a write, span validation without allocation, short copies, and ioeventfd
 * matching against a table. They read tables and bytes; they never adopt or publish.
 */
import { ADDRESS_LIMIT, checkRange } from '../../base/address.js';
import { AddressSpaceError } from '../../base/errors.js';
import { lowerBound } from '../../base/search.js';
import { kFlagReadOnly, kFlagRomd, kIoDataMatch, kTableIoCount, kTypeMask } from './layout.js';
import { TableRegionType } from './reader-api.js';
import type { TableColumns } from './table-columns.js';

/** Reads of this range go to memory (RAM, RAM device, ROM device in romd mode). */
export function isReadableMemory(flags: number): boolean {
  const type = flags & kTypeMask;
  return (
    type === TableRegionType.Ram ||
    type === TableRegionType.RamDevice ||
    (type === TableRegionType.RomDevice && (flags & kFlagRomd) !== 0)
  );
}

/** Writes to this range go to memory (RAM and RAM device on a writable mapping). */
export function isWritableMemory(flags: number): boolean {
  const type = flags & kTypeMask;
  return (
    (type === TableRegionType.Ram || type === TableRegionType.RamDevice) &&
    (flags & kFlagReadOnly) === 0
  );
}

/** Validates an access span without allocating; the typed error comes from `checkRange`. */
export function checkAccess(gpa: number, len: number): void {
  if (typeof gpa === 'number' && Math.floor(gpa) === gpa && gpa >= 0 && gpa <= ADDRESS_LIMIT - len)
    return;
  checkRange(gpa, len, 'access');
  throw AddressSpaceError.overflow(gpa, `access of ${len} bytes passes 2**53`);
}

/** Copies `n` bytes; short copies by hand so that the access path allocates no views. */
export function copyBytes(
  from: Uint8Array,
  fromAt: number,
  to: Uint8Array,
  toAt: number,
  n: number,
): void {
  if (n <= 16) {
    for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i]!;
  } else {
    to.set(from.subarray(fromAt, fromAt + n), toAt);
  }
}

/**
 * The EventFd directory id of the first ioeventfd of `table` that a write of `src` at
 * `gpa` matches (`base == gpa`, size equal or 0, and with data match the zero-extended
 * little-endian value equal), or 0 when none does.
 */
export function matchIoeventfd(table: TableColumns, gpa: number, src: Uint8Array): number {
  const count = table.header[kTableIoCount]!;
  const base = table.ioBase;
  for (let k = lowerBound(base, gpa, 0, count); k < count && base[k] === gpa; k++) {
    const size = table.ioSize[k]!;
    if (size !== 0 && size !== src.length) continue;
    if ((table.ioFlags[k]! & kIoDataMatch) !== 0) {
      if (src.length > 8) continue;
      let lo32 = 0;
      let hi32 = 0;
      for (let b = 0; b < src.length; b++) {
        if (b < 4) lo32 |= src[b]! << (8 * b);
        else hi32 |= src[b]! << (8 * (b - 4));
      }
      if (lo32 !== table.ioDataLo[k] || hi32 !== table.ioDataHi[k]) continue;
    }
    return table.ioFdId[k]!;
  }
  return 0;
}
