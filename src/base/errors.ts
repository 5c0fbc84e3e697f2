/**
 * The one error family of addrspace (SPEC 6).
 *
 * Every failure that a caller can provoke is an `AddressSpaceError` with a `code` that
 * callers match on. This module builds messages; it never decides whether something failed.
 */

export type ErrorCode =
  | 'RegionNotFound'
  | 'Overflow'
  | 'InvalidOffset'
  | 'RegionType'
  | 'IoAccess'
  | 'ListenerRequest'
  | 'UpdateTopology'
  | 'InvalidArgument'
  | 'RegionInUse'
  | 'AddrAlignUp'
  | 'ReaderFault';

/** `0x` plus upper-case hex, as StratoVirt prints addresses. */
export function hex(value: number | bigint): string {
  return `0x${value.toString(16).toUpperCase()}`;
}

/**
 * What an error is about, as named fields that callers can read without parsing the
 * message: the guest address, the span size, and for device accesses the region base and
 * offset (StratoVirt's `IoAccess(base, offset, count)`). Fields that do not apply are
 * `undefined`.
 */
export interface ErrorDetails {
  readonly address?: number;
  readonly size?: number;
  readonly regionBase?: number;
  readonly offset?: number;
  readonly cause?: unknown;
}

/**
 * The one error type of addrspace (SPEC 6). `code` says what failed (`RegionNotFound`,
 * `Overflow`, `InvalidOffset`, `RegionType`, `IoAccess`, `ListenerRequest`,
 * `UpdateTopology`, `InvalidArgument`, `RegionInUse`, `AddrAlignUp`, `ReaderFault`);
 * `addr`, `size`, `regionBase` and `offset` carry the numbers as fields where they apply.
 * Every call that rejects its input throws one of these and changes nothing.
 */
export class AddressSpaceError extends Error {
  readonly code: ErrorCode;
  /** The guest address the failure is about (RegionNotFound, Overflow, IoAccess: base + offset). */
  readonly address: number | undefined;
  /** The size of the access or range, where one was given. */
  readonly size: number | undefined;
  /** IoAccess: the base of the region that failed. */
  readonly regionBase: number | undefined;
  /** IoAccess: the offset of the access within its region. */
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message, details?.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AddressSpaceError';
    this.code = code;
    this.address = details?.address;
    this.size = details?.size;
    this.regionBase = details?.regionBase;
    this.offset = details?.offset;
  }

  static regionNotFound(addr: number): AddressSpaceError {
    return new AddressSpaceError(
      'RegionNotFound',
      `Failed to find matched region, addr ${hex(addr)}`,
      { address: addr },
    );
  }

  /** `context` is appended after the StratoVirt text, e.g. the invalid-offset detail. */
  static overflow(addr: number, context?: string, size?: number): AddressSpaceError {
    const base = `Address overflows, addr is ${hex(addr)}`;
    return new AddressSpaceError('Overflow', context ? `${base}: ${context}` : base, {
      address: addr,
      size,
    });
  }

  static regionType(detail: string): AddressSpaceError {
    return new AddressSpaceError('RegionType', `Wrong region type, ${detail}`);
  }

  static ioAccess(
    regionBase: number,
    offset: number,
    size: number,
    cause?: unknown,
  ): AddressSpaceError {
    return new AddressSpaceError(
      'IoAccess',
      `Failed to access IO-type region, region base ${hex(regionBase)}, offset ${hex(offset)}, size ${hex(size)}`,
      { address: regionBase + offset, regionBase, offset, size, cause },
    );
  }

  static invalidArgument(detail: string): AddressSpaceError {
    return new AddressSpaceError('InvalidArgument', `Invalid argument: ${detail}`);
  }
}

export function isAddressSpaceError(e: unknown): e is AddressSpaceError {
  return e instanceof AddressSpaceError;
}
