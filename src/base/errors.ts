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

export class AddressSpaceError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AddressSpaceError';
    this.code = code;
  }

  static regionNotFound(addr: number): AddressSpaceError {
    return new AddressSpaceError(
      'RegionNotFound',
      `Failed to find matched region, addr ${hex(addr)}`,
    );
  }

  /** `context` is appended after the StratoVirt text, e.g. the invalid-offset detail. */
  static overflow(addr: number, context?: string): AddressSpaceError {
    const base = `Address overflows, addr is ${hex(addr)}`;
    return new AddressSpaceError('Overflow', context ? `${base}: ${context}` : base);
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
      cause === undefined ? undefined : { cause },
    );
  }

  static invalidArgument(detail: string): AddressSpaceError {
    return new AddressSpaceError('InvalidArgument', `Invalid argument: ${detail}`);
  }
}

export function isAddressSpaceError(e: unknown): e is AddressSpaceError {
  return e instanceof AddressSpaceError;
}
