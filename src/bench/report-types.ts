/**
 * The shape of the report that `runBench` returns and `addrspace bench --json` writes
 * (SPEC 9): the strategy and render rows the spec requires, under their exact names, and
 * the extras the bench tables use (latencies, reader loops, micro paths, memory, targets).
 * Plain JSON data, like the run's report, whose `REPORT_VERSION` and `EnvironmentInfo`
 * it shares. Types only; this module measures nothing and renders nothing.
 */
import type { GuestMemoryStrategy } from '../concurrent/vcpu/raw-memory.js';
import type { WorkloadKind } from '../concurrent/vcpu/workload.js';
import type { EnvironmentInfo, REPORT_VERSION } from '../sim/report-types.js';

/** A strategy throughput row. `raw` is the same access pattern on a plain typed array. */
export interface BenchStrategyRow {
  readonly strategy: GuestMemoryStrategy;
  readonly vcpus: number;
  readonly workload: WorkloadKind;
  readonly churnPerSecond: number;
  readonly accessesPerSecond: number;
  /** `accessesPerSecond` over the `none` row with the same vCPUs, workload and churn. */
  readonly ratioToNone: number;
  /** Extra: `accessesPerSecond` over the `raw` row with the same vCPUs and workload. */
  readonly ratioToRaw?: number;
  /** Extra: accesses per second of each measured round (the row is their median). */
  readonly roundsAccessesPerSecond?: readonly number[];
  /**
   * Extra: share of the wall time the vCPU threads were on a CPU (1 = each vCPU had a
   * core throughout). Well below 1 means a loaded host, a lock or MMIO waits.
   */
  readonly vcpuBusy?: number;
  /** Extra: accesses per CPU second of the vCPU threads (host load taken out). */
  readonly accessesPerCpuSecond?: number;
  /** Extra: failed accesses in the measured rounds (only when some failed). */
  readonly faults?: number;
  /** Extra: vCPUs whose thread died during the row (its accesses stopped counting). */
  readonly lostVcpus?: number;
}

/** A render cost row: a tree of `regions` leaves. */
export interface BenchRenderRow {
  readonly regions: number;
  readonly fullRenderUs: number;
  readonly singleChangeUs: number;
  /** Extra: one change with a shared-memory publisher (rcu) attached: render + publish. */
  readonly singleChangePublishedUs?: number;
}

/** Extra: a latency measurement of the bench, such as adopt or grace-period time. */
export interface BenchLatencyRow {
  /** What was timed, e.g. `adopt`, `grace-period`, `mmio-exit`, `lookup-cold`. */
  readonly name: string;
  readonly strategy?: GuestMemoryStrategy;
  readonly vcpus?: number;
  readonly samples: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  /** Extra: the reader batch limit (accesses between quiescent points) of the run. */
  readonly batch?: number;
  /** Extra: topology updates per second while it was measured. */
  readonly churnPerSecond?: number;
}

/** Extra: a single-thread micro benchmark (tinybench), one operation per row. */
export interface BenchMicroRow {
  /** What was timed, e.g. `lookup 16k ranges (reader, binary search)`. */
  readonly name: string;
  /** The section it belongs to: `translate`, `lookup`, `render`, `ioeventfd`, ... */
  readonly group: string;
  /** Operations per second at the median sample (`1e9 / p50Ns`). */
  readonly opsPerSecond: number;
  /** Mean, median and 99th percentile time of one operation, in nanoseconds. */
  readonly meanNs: number;
  readonly p50Ns?: number;
  readonly p99Ns: number;
  /** Timed samples (each a loop of operations; see the bench module). */
  readonly samples: number;
}

/** Extra: resident memory of a lazily committed guest after touching part of it. */
export interface BenchMemoryRow {
  readonly guestBytes: number;
  readonly touchedBytes: number;
  /** Growth of the process's resident set since before the guest was created. */
  readonly residentBytes: number;
  /** `residentBytes / touchedBytes`. */
  readonly residentPerTouched: number;
}

/** Extra: one target of the benchmark issue, checked against this run's numbers. */
export interface BenchTargetCheck {
  readonly name: string;
  /** The target, as text (`>= 0.95x none`). */
  readonly target: string;
  /** The measured value, as text. */
  readonly measured: string;
  /** true met, false missed, null not measured in this run (rows not selected). */
  readonly met: boolean | null;
}

/** The result of `runBench` and the content of `addrspace bench --json FILE`. */
/** A doorbell written by one vCPU with hyp_ioevtfd_enabled on or off (hypervisor-paths.ts). */
export interface BenchDoorbellRow {
  readonly hypIoeventfd: boolean;
  readonly path: string;
  readonly doorbellsPerSecond: number;
  readonly nsPerDoorbell: number;
  readonly exitsPerDoorbell: number;
  readonly vcpuSignalsPerDoorbell: number;
}

/** The writes-only seq workload with dirty logging off or on (hypervisor-paths.ts). */
export interface BenchDirtyLogRow {
  readonly strategy: string;
  readonly vcpus: number;
  readonly workload: string;
  readonly logging: 'off' | 'on';
  readonly writesPerSecond: number;
  readonly nsPerWrite: number;
  readonly ratioToOff: number;
}

export interface BenchReport {
  readonly strategies: readonly BenchStrategyRow[];
  readonly render: readonly BenchRenderRow[];
  // ---- extras ----
  readonly version?: typeof REPORT_VERSION;
  readonly quick?: boolean;
  readonly latency?: readonly BenchLatencyRow[];
  /**
   * Extra: the same strategies in bare reader loops (sequential reads, no workload
   * generator or slice loop): the readers' own cost, which the vCPU rows dilute.
   */
  readonly readerLoop?: readonly BenchStrategyRow[];
  readonly micro?: readonly BenchMicroRow[];
  readonly memory?: readonly BenchMemoryRow[];
  /** Extra: a doorbell with and without hyp_ioevtfd_enabled (an exit against a signal). */
  readonly doorbells?: readonly BenchDoorbellRow[];
  /** Extra: what dirty logging costs a write (SPEC 10). */
  readonly dirtyLog?: readonly BenchDirtyLogRow[];
  readonly targets?: readonly BenchTargetCheck[];
  readonly environment?: EnvironmentInfo;
  readonly startedAt?: string;
  /** Wall time of the whole bench, in seconds. */
  readonly durationSeconds?: number;
  /** `os.loadavg()` (1, 5, 15 minutes) when the bench started and when it ended. */
  readonly hostLoad?: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** Wall time of each section, in seconds. */
  readonly sectionSeconds?: Readonly<Record<string, number>>;
  /** Seconds per measured throughput round and rounds per row. */
  readonly roundSeconds?: number;
  readonly rounds?: number;
}
