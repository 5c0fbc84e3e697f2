/**
 * `SharedView`: the reader side of the published view, in any thread (SPEC 7). A thread
 * that was handed a `ReaderHandle` (from `publisher.readerHandle(index)`) calls
 * `SharedView.attach(handle)`, goes `online()`, translates and accesses guest memory,
 * and goes `offline()` before it blocks or ends its slice.
 *
 * The reader sees published tables only, never a `Region`. This module only picks the
 * strategy's reader class; strategies/*.ts hold the behaviour.
 */
import { AddressSpaceError } from '../../base/errors.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { MutexReader } from './mutex.js';
import { NoneReader } from './none.js';
import { RcuReader } from './rcu.js';
import { SeqlockReader } from './seqlock.js';

/** Handles cross threads and come from user code: check the shape before trusting it. */
function isReaderHandle(h: unknown): h is ReaderHandle {
  const o = h as Partial<ReaderHandle> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.control instanceof SharedArrayBuffer &&
    o.readers instanceof SharedArrayBuffer &&
    typeof o.readerIndex === 'number' &&
    typeof o.directory === 'object'
  );
}

/**
 * The reader side of the published view, in any thread (SPEC 7). `SharedView.attach(handle)`
 * builds this thread's reader from a `ReaderHandle` (from `publisher.readerHandle(index)`);
 * the reader starts offline: call `online()` before translating or accessing guest memory
 * and `offline()` before blocking. Throws `AddressSpaceError` (`InvalidArgument`) for
 * something that is not a reader handle or names an unknown strategy.
 */
export const SharedView = {
  /** Builds this thread's reader for `handle`. The reader starts offline. */
  attach(handle: ReaderHandle): SharedViewReader {
    if (!isReaderHandle(handle)) {
      throw AddressSpaceError.invalidArgument('not a reader handle from SharedViewPublisher');
    }
    switch (handle.strategy) {
      case 'rcu':
        return new RcuReader(handle);
      case 'seqlock':
        return new SeqlockReader(handle);
      case 'mutex':
        return new MutexReader(handle);
      case 'none':
        return new NoneReader(handle);
      default:
        throw AddressSpaceError.invalidArgument(`unknown strategy ${String(handle.strategy)}`);
    }
  },
};
