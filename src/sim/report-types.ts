/**
 * The shape of the report that `runSimulation` returns and `addrspace run --json` writes
 * (SPEC 9), and the pieces the bench's report (src/bench/report-types.ts) shares with it:
 * `REPORT_VERSION`, `EnvironmentInfo`.
 *
 * Every key that SPEC 9 requires is here under its exact name; the keys marked "extra"
 * are additions the HTML report and the CLI summary use. Reports are plain JSON data:
 * numbers, strings, booleans, arrays and objects, no `bigint`, no class instances, so
 * `JSON.parse(JSON.stringify(report))` gives back an equal object. This module holds
 * types and a few constants only; it measures nothing and renders nothing.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { WorkloadKind } from '../concurrent/vcpu/workload.js';
import type { ChurnKind } from '../machine/churn-kind.js';
import type { FaultKind } from './fault-kinds.js';

/** The `version` key of both reports (the run's and the bench's). */
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

/** How the checker looks at vCPU accesses (`run --verify all`, SPEC 11). */
export type VerifyMode = 'all' | 'sampled';
export const VERIFY_MODES: readonly VerifyMode[] = ['all', 'sampled'];

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
  | 'ioeventfd'
  /** A verified access found a word tagged for another region (memory-tags.ts). */
  | 'wrong-mapping'
  /** A verified access found a word of the right region, tagged for another offset. */
  | 'wrong-offset'
  /** A verified access found an older write of its own vCPU where a newer one should be. */
  | 'lost-write'
  /**
   * An access used a view table that the owner had reclaimed (given back for reuse) before
   * the access was done with it: a use after free (SPEC 8, reader/table-age.ts).
   */
  | 'reclaimed-table';

/**
 * One invariant violation the checker saw: its `kind` (poison read, translation no
 * generation published, torn view, ...), the vCPU (-1: the owner), the generation, the
 * GPA, what was expected and what was seen, and when (`t`, seconds since the start).
 */
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
  /** The command that replays the run's churn (SPEC 11): `addrspace run --replay FILE`, ... */
  readonly reproduce?: string;
}

/**
 * What a run could not do or keep alive, apart from checker violations (SPEC 11): exit
 * status 3. `vcpu-died` / `backend-died`: a worker thread died without being killed by
 * fault injection; `device-failed`: a device callback threw (not an injected fault);
 * `listener-failed`: a memory listener threw something other than an `AddressSpaceError`
 * (not an injected fault); `churn-failed`: applying a change failed with an error the
 * address space does not raise; `check-not-run`: an end-of-run check could not run;
 * `fault-not-survived`: an injected fault the run did not recover from.
 */
export type RunFailureKind =
  | 'vcpu-died'
  | 'backend-died'
  | 'device-failed'
  | 'listener-failed'
  | 'churn-failed'
  | 'check-not-run'
  | 'fault-not-survived';

export interface RunFailure {
  readonly kind: RunFailureKind;
  /** One sentence, with the error's own text when there was an error. */
  readonly detail: string;
  /** Seconds since the start of the run, when it happened during the run. */
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
    /**
     * Extra: accesses per second after the JIT warm-up (`warmup`), the headline figure;
     * `perSecond` is the whole run's. Equal to the timeline's average when no warm-up
     * was found.
     */
    readonly warmPerSecond?: number;
  };
  /**
   * Extra: the JIT warm-up found in the timeline (sim/warmup.ts): it ends `seconds` after
   * the start (0: none found), with `accessesPerSecond` during it.
   */
  readonly warmup?: { readonly seconds: number; readonly accessesPerSecond: number };
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
    /**
     * SPEC 11. `all`: every RAM access checked its tagged words (`--verify all`);
     * `sampled`: one access in `SAMPLE_EVERY` translated again and checked against the
     * publication history.
     */
    readonly mode?: VerifyMode;
    /** vCPU accesses that went to guest RAM (faulted ones and MMIO exits not counted). */
    readonly ramAccesses?: number;
    /** `all`: RAM accesses whose every word carried a tag that matched its translation;
     * `sampled`: samples checked against the history. */
    readonly verifiedAccesses?: number;
    /** `all`: RAM accesses not verified (untagged words, not memory for the verified
     * path); `sampled`: samples whose generation had left the history window. */
    readonly unverified?: number;
    /** Samples and violation records lost because a vCPU's ring was full. */
    readonly dropped?: number;
    /** Violations by kind. */
    readonly byKind?: Readonly<Partial<Record<ViolationKind, number>>>;
    /** With violations: the command that replays the run's churn (SPEC 11). */
    readonly reproduce?: string;
  };
  readonly timeline: readonly TimelinePoint[];

  // ---- extras ----
  /** The workload kind, or the workload module's path as given. */
  readonly workload?: WorkloadKind | string;
  /** The churn kinds that were enabled. */
  readonly churnKinds?: readonly ChurnKind[];
  /** The requested churn rate (updates per second); `churn.perSecond` is what was achieved. */
  readonly churnRate?: number;
  /** Churn events in time order; capped: see `churnEventsTruncated`. */
  readonly churnEvents?: readonly ChurnEvent[];
  /** Churn events left out of `churnEvents` (0: none). */
  readonly churnEventsDropped?: number;
  /** Present (true) when `churnEvents` stops short of every event. */
  readonly churnEventsTruncated?: true;
  readonly histograms?: {
    readonly adoptLatencyUs?: HistogramReport;
    readonly gracePeriodUs?: HistogramReport;
    readonly mmioExitUs?: HistogramReport;
    readonly updateCostUs?: HistogramReport;
  };
  /**
   * The process exit status the CLI uses for this report: 0; 1 with violations; 3 with
   * failures and no violation.
   */
  readonly exitCode?: 0 | 1 | 3;
  /** Failures (see `RunFailureKind`), in the order they were found; empty when none. */
  readonly failures?: readonly RunFailure[];
  /** Failures found past the ones kept in `failures` (absent when none were left out). */
  readonly failuresTruncated?: number;
  /** With `--replay` (SPEC 11): recorded operations applied, in order. */
  readonly replayed?: number;
  /** With `--replay`: the file, its operations, and any that published differently. */
  readonly replay?: {
    readonly file: string;
    readonly total: number;
    readonly replayed: number;
    /** Operations whose generation (or refusal) differed from the recording. */
    readonly mismatches: number;
    /** Operations an injected fault refused when recorded, not applied again. */
    readonly refusedAsRecorded?: number;
    /** Topology changes a fault made when recorded (`table-growth`), made again in place. */
    readonly faultChanges?: number;
    readonly firstMismatch?: string;
  };
  /** With `--record` (SPEC 11): the file and how many operations it holds. */
  readonly record?: { readonly file: string; readonly ops: number };
  /**
   * With `--faults` (SPEC 11): faults injected and survived, per kind (every kind, 0 for
   * the ones not enabled).
   */
  readonly faults?: {
    readonly injected: Readonly<Record<FaultKind, number>>;
    readonly survived: Readonly<Record<FaultKind, number>>;
    /** The first errors injected throws came back as, with their text. */
    readonly errors?: readonly string[];
  };
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
  /**
   * What the strategy cost in retired memory and owner time (SPEC 7): the most bytes of
   * guest memory and view tables retired but not yet reclaimable at any moment, publish
   * (retire) to reclaimable, and the owner's total time inside the strategy's publish.
   */
  readonly retention?: {
    readonly retainedBytesMax: number;
    readonly reclaimLatencyUs: LatencyPercentiles;
    readonly ownerBlockedUs: number;
  };
  /** `--stall MS`: vCPU 0 stopped inside an access for `ms` this many times (`stalls`). */
  readonly stall?: { readonly vcpu: number; readonly ms: number; readonly stalls: number };
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
