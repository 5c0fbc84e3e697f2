/**
 * `addrspace/reader`: what a reader thread imports to attach a `SharedView` (a vCPU
 * worker, a device backend). Re-exports only.
 *
 * Its import closure is the reader room, the strategies, host event fds and base: no
 * region model (core), machine, simulation, bench, zod or piscina, so a worker loads it in
 * a fraction of the whole package's time (test/architecture/reader-entry.test.ts holds
 * the closure to that).
 */

export { AddressSpaceError, type ErrorCode, isAddressSpaceError } from './base/errors.js';
export { isPoison, POISON_U32 } from './concurrent/reader/poison.js';
export {
  type MmioExitHandler,
  type ReaderHandle,
  type SharedViewReader,
  STRATEGIES,
  type Strategy,
  TableRegionType,
} from './concurrent/reader/reader-api.js';
export { Translation, type TranslationTarget } from './concurrent/reader/translation.js';
export { SharedView } from './concurrent/strategies/shared-view.js';
export { EventFd, type SharedEventFdDescriptor } from './host/event-fd.js';
