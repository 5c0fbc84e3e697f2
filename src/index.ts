/** The public surface of addrspace. Re-exports only. */

// core: the single-threaded model (SPEC 1-6)
export {
  ADDRESS_LIMIT,
  type AddressRange,
  alignDown,
  alignUp,
  checkedAdd,
  checkedSub,
  compareRanges,
  findIntersection,
  offsetFrom,
  rangeEnd,
} from './base/address.js';
export { AddressSpaceError, type ErrorCode } from './base/errors.js';
// bench: strategies side by side, render costs (npm run bench)
export { formatBenchReport, runBench } from './bench/index.js';
export { type BenchOptions, resolveBenchOptions } from './bench/options.js';
export type {
  BenchLatencyRow,
  BenchMemoryRow,
  BenchMicroRow,
  BenchRenderRow,
  BenchReport,
  BenchStrategyRow,
  BenchTargetCheck,
} from './bench/report-types.js';
export { SharedViewPublisher } from './concurrent/publication/publisher.js';
// concurrent: publication, readers, vCPUs (SPEC 7-8)
export type { PublisherOptions } from './concurrent/publication/publisher-options.js';
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
export type { GuestMemoryStrategy } from './concurrent/vcpu/raw-memory.js';
export { VcpuPool, type VcpuPoolOptions } from './concurrent/vcpu/vcpu-pool.js';
export {
  WORKLOAD_KINDS as WORKLOADS,
  type WorkloadKind as Workload,
} from './concurrent/vcpu/workload.js';
export {
  AddressSpace,
  type HostSpan,
  type Listener,
  type RegionCache,
} from './core/address-space.js';
export { type FlatIoEventFd, type FlatRange, FlatView } from './core/flat-view.js';
export type { ViewPublisher } from './core/publisher.js';
export { Region } from './core/region.js';
export type {
  AddressAttr,
  ListenerReqType,
  RegionIoEventFd,
  RegionOps,
  RegionType,
} from './core/types.js';
// host: mappings and event fds on SharedArrayBuffers
export { EventFd, type SharedEventFdDescriptor } from './host/event-fd.js';
export { HostMemory, hostMemory } from './host/host-memory.js';
export { HostMemMapping, type HostMemMappingOptions } from './host/mapping.js';
export type { SharedMappingDescriptor } from './host/window.js';
// machine: machine files, the built-in pc, device models
export { buildMachine } from './machine/build.js';
export { CHURN_KINDS, type ChurnKind } from './machine/churn-kind.js';
export { BUILTIN_MACHINES, createMachine } from './machine/create.js';
export { Pflash } from './machine/devices/pflash.js';
export { RAM_BLOCK_SIZE, RamBlockPool } from './machine/devices/ram-block-pool.js';
export { Uart16550 } from './machine/devices/uart16550.js';
export { VIRTIO_MMIO_MAGIC, VirtioMmio } from './machine/devices/virtio-mmio.js';
export { MachineConfigError } from './machine/errors.js';
export type { Machine } from './machine/machine.js';
export type { MachineConfig, RegionConfig } from './machine/machine-config.js';
export { loadMachineFile, parseMachineFile } from './machine/machine-file.js';
export { buildPcMachine, type PcMachine } from './machine/pc.js';
export { pcMachineFile } from './machine/pc-config.js';
export { formatSize, parseSize } from './machine/sizes.js';
// sim: the main job and its reports (SPEC 9)
export { OptionsError } from './sim/option-checks.js';
export { DEFAULT_RUN_OPTIONS, type RunOptions, resolveRunOptions } from './sim/options.js';
export { renderHtmlReport } from './sim/report-html.js';
export type {
  RunProgress,
  RunReport,
  TimelinePoint,
  Violation,
  ViolationKind,
} from './sim/report-types.js';
export { runSimulation } from './sim/simulation.js';
