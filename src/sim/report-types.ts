/**
 * The shapes of the reports that `runSimulation` and `runBench` return and that
 * `addrspace run --json` / `addrspace bench --json` write (SPEC 9).
 *
 * Every key that SPEC 9 requires is here under its exact name; the keys marked "extra"
 * are additions the HTML report and the CLI summary use. Reports are plain JSON data:
 * numbers, strings, booleans, arrays and objects, no `bigint`, no class instances, so
 * `JSON.parse(JSON.stringify(report))` gives back an equal object. This module holds
 * types and a few constants only; it measures nothing and renders nothing.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { ChurnKind, Workload } from './options.js';

/** The `version` key of both reports. */
export const REPORT_VERSION = 1;

/** Two percentiles of a latency distribution, in microseconds. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p99: number;
}

/** Two percentiles and the largest sample, in microseconds. */
export interface LatencyPercentilesWithMax extends LatencyPercentiles {
  readonly max: number;
}

/**
 * A latency histogram with fixed log-scale buckets (extra). Bucket `i` counts samples in
 * `[edgesUs[i], edgesUs[i + 1])`; samples below the first edge count in bucket 0 and
 * samples at or past the last edge in the last bucket, so `counts` sums to `count`.
 * `edgesUs.length === counts.length + 1`. Built by `LogHistogram.toReport()`.
 */
export interface HistogramReport {
  readonly edgesUs: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What a checker found wrong. `firstViolations` keeps the first few in time order. */
export type ViolationKind =
  /** A GPA translated to a host address that no published generation maps it to. */
  | 'translation'
  /** A reader read the poison pattern through a view it believed current (SPEC 8). */
  | 'poison'
  /** A multi-byte access saw bytes of two different writes. */
  | 'torn'
  /** One access resolved against a mix of two generations (SPEC 7). */
  | 'mixed-generation'
  /** A reader kept an old generation past the adoption bound (SPEC 7). */
  | 'stale-generation'
  /** An MMIO exit reached the wrong region or returned wrong data. */
  | 'mmio'
  /** An ioeventfd write was not signalled, or reached the device. */
  | 'ioeventfd';

export interface Violation {
  readonly kind: ViolationKind;
  /** The vCPU index that saw it (-1 for the owner thread). */
  readonly vcpu: number;
  /** The generation the reader had adopted when it saw it. */
  readonly generation: number;
  /** The guest physical address of the access. */
  readonly gpa: number;
  /** What a consistent view would give, as text (`0x1234`, `Ram ram-below-4g`, ...). */
  readonly expected: string;
  /** What the reader got, as text. */
  readonly actual: string;
  /** One sentence for people. */
  readonly detail: string;
  /** Seconds since the start of the run (extra). */
  readonly t?: number;
}

/** One timeline sample: rates over the interval that ends at `t`. */
export interface TimelinePoint {
  /** Seconds since the start of the run (end of the interval). */
  readonly t: number;
  readonly accessesPerSecond: number;
  /** The newest published generation at `t`. */
  readonly generation: number;
  /** Extra: accesses per second of each vCPU over the interval, indexed by vCPU. */
  readonly perVcpuAccessesPerSecond?: readonly number[];
}

/** Extra: one topology change, for marking charts. */
export interface ChurnEvent {
  /** Seconds since the start of the run. */
  readonly t: number;
  readonly kind: ChurnKind;
}

/** Extra: where the report was made. */
export interface EnvironmentInfo {
  /** `process.version`, e.g. `v20.20.2`. */
  readonly node: string;
  /** `os.availableParallelism()`. */
  readonly cpus: number;
  /** `os.cpus()[0].model`, or '' when unknown. */
  readonly cpuModel: string;
  /** `${process.platform}-${process.arch}`. */
  readonly platform: string;
}

/** The result of `runSimulation` and the content of `addrspace run --json FILE`. */
export interface RunReport {
  readonly version: typeof REPORT_VERSION;
  /** `'pc'` or the machine file path as given. */
  readonly machine: string;
  readonly strategy: Strategy;
  readonly vcpus: number;
  /** The time the vCPUs actually ran, in seconds (may differ a little from the option). */
  readonly durationSeconds: number;
  readonly seed: number;
  readonly accesses: {
    readonly total: number;
    readonly perSecond: number;
    /** Total accesses of each vCPU, indexed by vCPU. */
    readonly perVcpu: readonly number[];
  };
  readonly mmioExits: {
    readonly count: number;
    /** Round trip of an exit as the vCPU sees it: post, owner runs the ops, resume. */
    readonly latencyUs: LatencyPercentiles;
  };
  readonly ioeventfdSignals: number;
  readonly churn: {
    readonly updates: number;
    readonly perSecond: number;
    /** Updates per churn kind; every enabled kind is present, possibly 0. */
    readonly byKind: Readonly<Partial<Record<ChurnKind, number>>>;
    /** Owner-side cost of one update: mutate, render, dispatch, publish. */
    readonly updateCostUs: LatencyPercentiles;
  };
  readonly publish: {
    readonly generations: number;
    /** From the publishing store until a reader adopts the generation. */
    readonly adoptLatencyUs: LatencyPercentilesWithMax;
    /** From the publish until every online reader has passed a quiescent state. */
    readonly gracePeriodUs: LatencyPercentilesWithMax;
  };
  readonly reclaimed: { readonly mappings: number; readonly bytes: number };
  readonly check: {
    readonly enabled: boolean;
    /** Accesses the checker verified. */
    readonly samples: number;
    readonly violations: number;
    readonly firstViolations: readonly Violation[];
  };
  readonly timeline: readonly TimelinePoint[];

  // ---- extras ----
  readonly workload?: Workload;
  /** The churn kinds that were enabled. */
  readonly churnKinds?: readonly ChurnKind[];
  /** The requested churn rate (updates per second); `churn.perSecond` is what was achieved. */
  readonly churnRate?: number;
  /** Churn events in time order; may be capped (see `churnEventsDropped`). */
  readonly churnEvents?: readonly ChurnEvent[];
  readonly churnEventsDropped?: number;
  readonly histograms?: {
    readonly adoptLatencyUs?: HistogramReport;
    readonly gracePeriodUs?: HistogramReport;
    readonly mmioExitUs?: HistogramReport;
    readonly updateCostUs?: HistogramReport;
  };
  /** The process exit status the CLI uses for this report: 0, or 1 with violations. */
  readonly exitCode?: 0 | 1;
  /** ISO 8601 time the run started. */
  readonly startedAt?: string;
  readonly environment?: EnvironmentInfo;
  /** Set when the strategy does not synchronise (`none`): violations are expected. */
  readonly unsafe?: boolean;
  /** True when the run was stopped early (an abort signal, Ctrl-C). */
  readonly interrupted?: boolean;
  /** Churn operations the address space refused (typed errors; counted, not fatal). */
  readonly churnFailed?: number;
  /** Accesses of the vCPUs that failed with an `AddressSpaceError`, by code. */
  readonly vcpuFaults?: {
    readonly total: number;
    readonly regionNotFound: number;
    readonly regionType: number;
    readonly ioAccess: number;
    /** vCPU threads that died (marked offline, not waited for). */
    readonly lostThreads: number;
  };
  /**
   * Readers the publisher evicted for stalling a grace period past its lease (a thread
   * descheduled that long); an evicted reader ends its slice at its next quiescent point.
   */
  readonly evictedReaders?: number;
  /** The device backend worker: DMA through its own SharedView on doorbell signals. */
  readonly deviceBackend?: {
    /** Guest memory accesses by DMA (a request read and a completion write per request). */
    readonly dmaOps: number;
    readonly requests: number;
    /** Doorbell (ioeventfd) signals the backend consumed. */
    readonly signals: number;
    readonly faults: number;
    /** Fresh reader attachments after a `ReaderFault`. */
    readonly reattached: number;
  };
}

/** Progress of a running simulation, for the CLI's progress line (`RunOptions.onProgress`). */
export interface RunProgress {
  readonly elapsedSeconds: number;
  readonly durationSeconds: number;
  readonly accessesTotal: number;
  /** Over the last progress interval. */
  readonly accessesPerSecond: number;
  readonly generation: number;
  /** Over the last progress interval. */
  readonly churnPerSecond: number;
  readonly violations: number;
}

/** A strategy throughput row. `raw` is the same access pattern on a plain typed array. */
export interface BenchStrategyRow {
  readonly strategy: Strategy | 'raw';
  readonly vcpus: number;
  readonly workload: Workload;
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
  readonly strategy?: Strategy | 'raw';
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
