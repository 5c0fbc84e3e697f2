/**
 * `SharedView`: the reader side of the published view, in any thread (SPEC 7). A thread
 * that was handed a `ReaderHandle` (from `publisher.readerHandle(index)`) calls
 * `SharedView.attach(handle)`, goes `online()`, translates and accesses guest memory,
 * and goes `offline()` before it blocks or ends its slice. When the handle names a
 * plug-in strategy loaded from a module (`handle.strategyModule`), the thread first awaits
 * `SharedView.prepare(handle)`, which imports that module here.
 *
 * The reader sees published tables only, never a `Region`. This module only finds the
 * strategy's definition (strategies/registry.ts) and asks it for a reader; the strategy
 * files hold the behaviour.
 */
import { AddressSpaceError } from '../../base/errors.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { getStrategy, hasStrategy, importStrategyModule } from './registry.js';

/** Handles cross threads and come from user code: check the shape before trusting it. */
function isReaderHandle(h: unknown): h is ReaderHandle {
  const o = h as Partial<ReaderHandle> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.strategy === 'string' &&
    o.control instanceof SharedArrayBuffer &&
    o.readers instanceof SharedArrayBuffer &&
    typeof o.readerIndex === 'number' &&
    typeof o.directory === 'object'
  );
}

function checked(handle: unknown): ReaderHandle {
  if (!isReaderHandle(handle)) {
    throw AddressSpaceError.invalidArgument('not a reader handle from SharedViewPublisher');
  }
  return handle;
}

export const SharedView = {
  /**
   * Whether `attach(handle)` would need `prepare(handle)` first in this thread: the
   * handle's strategy is a plug-in module not loaded here yet.
   */
  needsPrepare(handle: ReaderHandle): boolean {
    return !hasStrategy(handle.strategy) && typeof handle.strategyModule === 'string';
  },

  /** Loads the handle's strategy module in this thread, if it has one and it is not loaded. */
  async prepare(handle: ReaderHandle): Promise<void> {
    const h = checked(handle);
    if (SharedView.needsPrepare(h)) await importStrategyModule(h.strategyModule as string);
  },

  /** Builds this thread's reader for `handle`. The reader starts offline. */
  attach(handle: ReaderHandle): SharedViewReader {
    const h = checked(handle);
    if (SharedView.needsPrepare(h)) {
      throw AddressSpaceError.invalidArgument(
        `strategy ${h.strategy} comes from ${String(h.strategyModule)}: await SharedView.prepare(handle) first`,
      );
    }
    return getStrategy(h.strategy).createReader(h);
  },
};
