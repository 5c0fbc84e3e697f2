/**
 * The faults of a reader (`ReaderFault`, SPEC 6), each message written once.
 *
 * A `ReaderFault` tells the reader's caller to stop using what it attached: end the slice
 * (the reader is offline, or evicted, or its directory is incomplete) and attach or go
 * online again. This module only builds the errors; the reader room and the strategies
 * decide when to throw them.
 */
import { AddressSpaceError } from '../../base/errors.js';

function readerFault(detail: string): AddressSpaceError {
  return new AddressSpaceError('ReaderFault', `Reader fault: ${detail}`);
}

/** An access or adoption while the reader is offline (go `online()` first). */
export function readerOfflineFault(): AddressSpaceError {
  return readerFault('the reader is offline');
}

/** A table, mapping or EventFd id that this reader's directory does not know. */
export function unknownEntryFault(
  kind: 'table' | 'mapping' | 'eventfd',
  id: number,
): AddressSpaceError {
  return readerFault(
    `${kind} ${id} is not known to this reader (attach again with a fresh handle)`,
  );
}

/** The owner evicted the reader after its lease ran out (qsbr strategies). */
export function evictedFault(): AddressSpaceError {
  return readerFault('the owner evicted this reader after its lease ran out (go online again)');
}

/** The owner took the lock from this reader (mutex: it held it past the lease). */
export function lockTakenFault(): AddressSpaceError {
  return readerFault('the owner took the lock from this reader (lease ran out)');
}

/** A row that cannot be a published one: only a table rewritten under the reader (strategy none). */
export function tornTableFault(): AddressSpaceError {
  return readerFault('torn view table');
}
