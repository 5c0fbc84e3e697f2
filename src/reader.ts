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
// strategies (SPEC 7): the plug-in interface, the registry, and what a plug-in builds on
export {
  kCurrentTable,
  kEpoch,
  kStrategyWords,
  kTableEpoch,
  READER_STRATEGY_WORDS,
  readerStrategyWord,
} from './concurrent/reader/layout.js';
export { isPoison, POISON_U32 } from './concurrent/reader/poison.js';
export {
  type BuiltinStrategy,
  type MmioExitHandler,
  type ReaderHandle,
  type SharedViewReader,
  STRATEGIES,
  type Strategy,
  TableRegionType,
} from './concurrent/reader/reader-api.js';
export {
  evictedFault,
  readerOfflineFault,
  unknownEntryFault,
} from './concurrent/reader/reader-faults.js';
export { Translation, type TranslationTarget } from './concurrent/reader/translation.js';
export { TableReader } from './concurrent/reader/view-reader.js';
export { CheckedReader } from './concurrent/strategies/checked-reader.js';
export { qsbrOwner } from './concurrent/strategies/qsbr-owner.js';
export { QsbrSlot } from './concurrent/strategies/qsbr-slot.js';
export {
  getStrategy,
  isStrategyPath,
  listStrategies,
  registerStrategy,
  resolveStrategy,
} from './concurrent/strategies/registry.js';
export { SharedView } from './concurrent/strategies/shared-view.js';
export type {
  OwnerContext,
  QuiescentGrace,
  ReaderSlots,
  StrategyDefinition,
  StrategyOwner,
} from './concurrent/strategies/strategy-definition.js';
export { EventFd, type SharedEventFdDescriptor } from './host/event-fd.js';
